/* Layout 05: one table row per piece (segment number, type, start, end, size) under a heading row;
 * the summary in another order, "Pages used<TAB>" kept. */
MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0, unused = 0;
    unsigned long segments = 0;
    printf("MEMS SYSTEM STATS\n");
    printf("| Segment | Type    | Start  | End    | Size  |\n");
    printf("|---------|---------|--------|--------|-------|\n");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        segments++;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            printf("| %-7lu | %-7s | %-6lu | %-6lu | %-5lu |\n", segments, s->type == MEMS_PROCESS ? "PROCESS" : "HOLE",
                   (unsigned long)s->virtual_address, (unsigned long)(s->virtual_address + s->size - 1),
                   (unsigned long)s->size);
            if (s->type == MEMS_HOLE) unused += s->size;
        }
        mapped += m->total_size;
    }
    printf("Main Chain Length:\t%lu\n", segments);
    printf("Sub-chain Length array: [");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long pieces = 0;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) pieces++;
        printf("%lu, ", pieces);
    }
    printf("]\n");
    printf("Pages used:\t%lu\n", (unsigned long)(mapped / mems_state.page_size));
    printf("Space unsued:\t%lu\n", (unsigned long)unused);
    printf("-----------------------------\n");
}
