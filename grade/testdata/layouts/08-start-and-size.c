/* Layout 08: pieces printed as [start, size] (the segment keeps its last byte); "Pages used => N". */
MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0, unused = 0;
    unsigned long segments = 0;
    printf("----- MeMS SYSTEM STATS -----\n");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        printf("MAIN[%lu:%lu]-> ", (unsigned long)m->start_virtual_address,
               (unsigned long)(m->start_virtual_address + m->total_size - 1));
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            printf("%c[%lu, %lu] <-> ", s->type == MEMS_PROCESS ? 'P' : 'H', (unsigned long)s->virtual_address,
                   (unsigned long)s->size);
            if (s->type == MEMS_HOLE) unused += s->size;
        }
        printf("NULL\n");
        mapped += m->total_size;
        segments++;
    }
    printf("Pages used => %lu\n", (unsigned long)(mapped / mems_state.page_size));
    printf("Space unused => %lu\n", (unsigned long)unused);
    printf("Main Chain Length => %lu\n", segments);
    printf("Sub-chain Length array => [");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long pieces = 0;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) pieces++;
        printf("%lu, ", pieces);
    }
    printf("]\n");
    printf("-----------------------------\n");
}
