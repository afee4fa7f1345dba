/* Layout 01: the course's chain with `,` between bounds, `-->` and `<-->`, spaces inside brackets;
 * summary labels reworded, "bytes" after the unused space, the array without its trailing ", ". */
MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0, unused = 0;
    unsigned long segments = 0;
    printf("===== MeMS SYSTEM STATS =====\n");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        printf("MAIN[%lu, %lu] --> ", (unsigned long)m->start_virtual_address,
               (unsigned long)(m->start_virtual_address + m->total_size - 1));
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            printf("%c[%lu, %lu] <--> ", s->type == MEMS_PROCESS ? 'P' : 'H', (unsigned long)s->virtual_address,
                   (unsigned long)(s->virtual_address + s->size - 1));
            if (s->type == MEMS_HOLE) unused += s->size;
        }
        printf("NULL\n");
        mapped += m->total_size;
        segments++;
    }
    printf("Pages used: %lu\n", (unsigned long)(mapped / mems_state.page_size));
    printf("Space unused: %lu bytes\n", (unsigned long)unused);
    printf("Main chain length: %lu\n", segments);
    printf("Sub-chain length array: [");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long pieces = 0;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) pieces++;
        printf(m->next != NULL ? "%lu, " : "%lu", pieces);
    }
    printf("]\n");
    printf("=============================\n");
}
