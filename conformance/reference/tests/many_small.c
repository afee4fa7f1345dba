/*
 * many_small.c: 10,000 mems_malloc(40) calls, writing into every block and reading it all back.
 * `make ulimit-check` runs it under `ulimit -v 5120` (5 MiB of address space): it passes only if
 * bookkeeping takes many nodes per mapping, never one mapping per node.
 */
#include <stdio.h>

#include "../mems.h"

#define BLOCKS 10000
#define BLOCK_SIZE 40

int main(void) {
    static void *blocks[BLOCKS];
    mems_init();
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = mems_malloc(BLOCK_SIZE);
        unsigned char *p = mems_get(blocks[i]);
        if (p == NULL) { printf("FAIL: block %d not usable\n", i); return 1; }
        memset(p, i & 0xff, BLOCK_SIZE);
    }
    for (int i = 0; i < BLOCKS; i++) {
        unsigned char *p = mems_get(blocks[i]);
        for (int b = 0; b < BLOCK_SIZE; b++) {
            if (p[b] != (unsigned char)(i & 0xff)) { printf("FAIL: block %d byte %d changed\n", i, b); return 1; }
        }
    }
    const char *broken = mems_check_invariants();
    if (broken != NULL) { printf("FAIL: %s\n", broken); return 1; }
    unsigned long calls = mems_mmap_calls;
    mems_finish();
    printf("ok: %d blocks of %d bytes, %lu mmap calls, %lu munmap calls\n", BLOCKS, BLOCK_SIZE, calls,
           mems_munmap_calls);
    return calls < 200 ? 0 : 1;
}
