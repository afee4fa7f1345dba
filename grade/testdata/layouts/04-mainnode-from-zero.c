/* Layout 04: "MainNode-1 [0 : 4095]" headings with each piece on its own line, addresses counted
 * from 0 (not the start address); each summary value on the line after its label. */
MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0, unused = 0, base = mems_state.start_address;
    unsigned long segments = 0;
    printf("---------- MeMS SYSTEM STATS ----------\n");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        segments++;
        printf("MainNode-%lu [%lu : %lu]\n", segments, (unsigned long)(m->start_virtual_address - base),
               (unsigned long)(m->start_virtual_address + m->total_size - 1 - base));
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            printf("    %s [%lu : %lu]\n", s->type == MEMS_PROCESS ? "PROCESS" : "HOLE",
                   (unsigned long)(s->virtual_address - base), (unsigned long)(s->virtual_address + s->size - 1 - base));
            if (s->type == MEMS_HOLE) unused += s->size;
        }
        mapped += m->total_size;
    }
    printf("Pages used:\n%lu\n", (unsigned long)(mapped / mems_state.page_size));
    printf("Space unused:\n%lu\n", (unsigned long)unused);
    printf("Main Chain Length:\n%lu\n", segments);
    printf("Sub-chain Length array:\n[");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long pieces = 0;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) pieces++;
        printf(" %lu ", pieces);
    }
    printf("]\n");
    printf("---------------------------------------\n");
}
