/*
 * What the OS charges MeMS on this machine, apart from MeMS: for mappings of K pages, the mmap, a first
 * write to each page (the page fault), and the munmap; then the same with MAP_POPULATE (the pages faulted
 * in by the mmap itself). Medians would hide nothing here: each figure is the mean of ROUNDS rounds.
 * The figures behind core/first-mapping.ts and core/mapping.ts's choices (docs/experiments.md, issue 25).
 *
 *   npm run ab:os-costs
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 500 };

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* One mapping of `pages` pages: adds the mmap's, the writes' and the munmap's time to the sums. */
static void round_of(long page, int pages, int flags, double sums[3]) {
  double start = now_us();
  char *p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
  double mapped = now_us();
  if (p == MAP_FAILED) return;
  for (int i = 0; i < pages; i++) p[i * page] = 1;
  double written = now_us();
  munmap(p, pages * page);
  double unmapped = now_us();
  sums[0] += mapped - start;
  sums[1] += written - mapped;
  sums[2] += unmapped - written;
}

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  printf("pages  lazy: mmap  write/page  munmap  |  MAP_POPULATE: mmap  per page  munmap   (us, mean of %d)\n", ROUNDS);
  for (int pages = 1; pages <= 256; pages *= 4) {
    double lazy[3] = {0, 0, 0}, populated[3] = {0, 0, 0};
    for (int r = 0; r < ROUNDS; r++) {
      round_of(page, pages, 0, lazy);
      round_of(page, pages, MAP_POPULATE, populated);
    }
    printf("%5d  %10.1f  %10.1f  %6.1f  |  %18.1f  %8.2f  %6.1f\n", pages, lazy[0] / ROUNDS, lazy[1] / ROUNDS / pages,
           lazy[2] / ROUNDS, populated[0] / ROUNDS, populated[0] / ROUNDS / pages, populated[2] / ROUNDS);
  }
  return 0;
}
