/* Layout 03: `Main[` and PROCESS/HOLE spelt out, `->` everywhere; "Number of pages is:",
 * "Space unused =>", "Length of main chain", the array as bare numbers "5 5 3". */
MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0, unused = 0;
    unsigned long segments = 0;
    printf("=== MeMS Stats ===\n");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        printf("Main[%lu:%lu] -> ", (unsigned long)m->start_virtual_address,
               (unsigned long)(m->start_virtual_address + m->total_size - 1));
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            printf("%s[%lu:%lu] -> ", s->type == MEMS_PROCESS ? "PROCESS" : "HOLE", (unsigned long)s->virtual_address,
                   (unsigned long)(s->virtual_address + s->size - 1));
            if (s->type == MEMS_HOLE) unused += s->size;
        }
        printf("NULL\n");
        mapped += m->total_size;
        segments++;
    }
    printf("Number of pages is:%lu\n", (unsigned long)(mapped / mems_state.page_size));
    printf("Space unused => %lu\n", (unsigned long)unused);
    printf("Length of main chain: %lu\n", segments);
    printf("Sub-chain sizes:");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long pieces = 0;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) pieces++;
        printf(" %lu", pieces);
    }
    printf("\n");
}
