/* Layout 09: debug lines between the stats lines, and only "Pages used" of the summary printed
 * (the grader should report the other three fields as missing, not the block as unreadable). */
MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0;
    printf("----- MeMS SYSTEM STATS -----\n");
    printf("[debug] walking the main chain from %p\n", (void *)mems_state.head);
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        printf("MAIN[%lu:%lu]-> ", (unsigned long)m->start_virtual_address,
               (unsigned long)(m->start_virtual_address + m->total_size - 1));
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next)
            printf("%c[%lu:%lu] <-> ", s->type == MEMS_PROCESS ? 'P' : 'H', (unsigned long)s->virtual_address,
                   (unsigned long)(s->virtual_address + s->size - 1));
        printf("NULL\n");
        printf("[debug] segment mapped at %p, %lu bytes\n", (void *)m->physical_base, (unsigned long)m->total_size);
        mapped += m->total_size;
    }
    printf("Pages used:\t%lu\n", (unsigned long)(mapped / mems_state.page_size));
    printf("-----------------------------\n");
}
