/*
 * example.c: the steps of the course's example program, written afresh for this project.
 * Its output, with the physical address masked, is scenarios/example.expected.
 */
#include <stdio.h>

#include "mems.h"

#define BLOCK_COUNT 10

int main(void) {
    int *ptr[BLOCK_COUNT];

    mems_init();

    printf("\n------- Allocated virtual addresses [mems_malloc] -------\n");
    for (int i = 0; i < BLOCK_COUNT; i++) {
        ptr[i] = (int *)mems_malloc(sizeof(int) * 250);
        printf("Virtual address: %lu\n", (unsigned long)ptr[i]);
    }

    printf("\n------ Assigning value to Virtual address [mems_get] -----\n");
    int *phy_ptr = (int *)mems_get(ptr[0]);
    printf("Virtual address: %lu\tPhysical Address: %lu\n", (unsigned long)ptr[0], (unsigned long)phy_ptr);
    phy_ptr[0] = 200;
    int *phy_ptr2 = (int *)mems_get(ptr[0]);
    printf("Value written: %d\n", phy_ptr2[0]);

    printf("\n--------- Printing Stats [mems_print_stats] --------\n");
    mems_print_stats();

    printf("\n--------- Freeing up the memory [mems_free] --------\n");
    mems_free(ptr[3]);
    mems_print_stats();
    ptr[3] = (int *)mems_malloc(sizeof(int) * 250);
    mems_print_stats();

    printf("\n--------- Unmapping all memory [mems_finish] --------\n\n");
    mems_finish();
    return 0;
}
