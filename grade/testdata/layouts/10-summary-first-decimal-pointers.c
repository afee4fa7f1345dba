/* Layout 10: the summary before the chain, in another order, "Space unused: N bytes" and the array
 * as "[ 5  5  3 ]"; then the chain with raw pointers printed in decimal (%lu), `Main[` and `PROCESS`. */
MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0, unused = 0;
    unsigned long segments = 0;
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next)
            if (s->type == MEMS_HOLE) unused += s->size;
        mapped += m->total_size;
        segments++;
    }
    printf("MeMS SYSTEM STATS\n");
    printf("Main Chain Length: %lu\n", segments);
    printf("Sub-chain Length array: [");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long pieces = 0;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) pieces++;
        printf(" %lu ", pieces);
    }
    printf("]\n");
    printf("Space unused: %lu bytes\n", (unsigned long)unused);
    printf("Pages used: %lu\n", (unsigned long)(mapped / mems_state.page_size));
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long base = (unsigned long)(uintptr_t)m->physical_base;
        printf("Main[%lu:%lu] -> ", base, base + (unsigned long)m->total_size - 1);
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            unsigned long p = base + (unsigned long)(s->virtual_address - m->start_virtual_address);
            printf("%s[%lu:%lu] <-> ", s->type == MEMS_PROCESS ? "PROCESS" : "HOLE", p, p + (unsigned long)s->size - 1);
        }
        printf("NULL\n");
    }
    printf("-----------------------------\n");
}
