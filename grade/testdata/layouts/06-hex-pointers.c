/* Layout 06: raw pointers instead of virtual addresses, printed with %p (hex): each segment where
 * mmap put it, so segments are not contiguous. The course's summary. */
MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0, unused = 0;
    unsigned long segments = 0;
    printf("----- MeMS SYSTEM STATS -----\n");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        printf("MAIN[%p:%p]-> ", (void *)m->physical_base, (void *)(m->physical_base + m->total_size - 1));
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            unsigned char *p = m->physical_base + (s->virtual_address - m->start_virtual_address);
            printf("%c[%p:%p] <-> ", s->type == MEMS_PROCESS ? 'P' : 'H', (void *)p, (void *)(p + s->size - 1));
            if (s->type == MEMS_HOLE) unused += s->size;
        }
        printf("NULL\n");
        mapped += m->total_size;
        segments++;
    }
    printf("Pages used:\t%lu\n", (unsigned long)(mapped / mems_state.page_size));
    printf("Space unsued:\t%lu\n", (unsigned long)unused);
    printf("Main Chain Length:\t%lu\n", segments);
    printf("Sub-chain Length array: [");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long pieces = 0;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) pieces++;
        printf("%lu, ", pieces);
    }
    printf("]\n");
    printf("-----------------------------\n");
}
