/* Layout 02: no header and no closing rule; `-` between bounds, no spaces, P_ and H_; labels
 * "Used Pages:", "Unused Space:", the array as [5,5,3,]. Blocks are told apart by their fields. */
MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0, unused = 0;
    unsigned long segments = 0;
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        printf("MAIN[%lu-%lu]->", (unsigned long)m->start_virtual_address,
               (unsigned long)(m->start_virtual_address + m->total_size - 1));
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            printf("%s[%lu-%lu]<->", s->type == MEMS_PROCESS ? "P_" : "H_", (unsigned long)s->virtual_address,
                   (unsigned long)(s->virtual_address + s->size - 1));
            if (s->type == MEMS_HOLE) unused += s->size;
        }
        printf("NULL\n");
        mapped += m->total_size;
        segments++;
    }
    printf("Used Pages:%lu\n", (unsigned long)(mapped / mems_state.page_size));
    printf("Unused Space:%lu\n", (unsigned long)unused);
    printf("Main Chain Length:%lu\n", segments);
    printf("Sub Chain Lengths:[");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long pieces = 0;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) pieces++;
        printf("%lu,", pieces);
    }
    printf("]\n");
}
