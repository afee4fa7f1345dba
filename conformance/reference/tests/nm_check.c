/* nm_check.c: calls every MeMS function so that all of mems.h is compiled into one object,
 * whose undefined symbols `make nm-check` inspects (no malloc/calloc/realloc/free allowed). */
#include "../mems.h"

int nm_check_uses_everything(void) {
    size_t v = 0;
    mems_configure(4096, 1000);
    mems_set_quiet(1);
    mems_reset_counters();
    mems_init();
    void *p = mems_malloc(10);
    mems_allocate(10, &v);
    mems_get(p);
    mems_process_room(p);
    mems_free(p);
    mems_print_stats();
    int broken = mems_check_invariants() != NULL;
    mems_finish();
    return broken;
}
