/*
 * mems-reaper: the first process of every sandboxed run of `mems grade` (grade/sandbox.ts builds it
 * with the system's C compiler on first use and keeps it in the user's cache, outside the sandbox: it
 * is ours, not a submission's).
 *
 *   mems-reaper [--group] [--stage SOURCE TARGET]... [--] COMMAND [ARG...]
 *
 * Runs COMMAND as its child and exits only once every process below it has ended and been reaped,
 * with COMMAND's exit status (or dying of the signal COMMAND died of). When the grader dies, even of
 * SIGKILL, it kills COMMAND (and with --group its process group) before it goes.
 *
 * --group (runs without bwrap, `--no-sandbox`): COMMAND makes itself a process group leader (setsid);
 * once COMMAND has ended, every process left in its group is killed, as bwrap's namespace would be.
 *
 * --stage (as root): in a mount namespace of its own, binds SOURCE read-only on TARGET (an empty folder
 * or file in a folder anyone may enter) before COMMAND starts. The sandbox runs as an unprivileged uid,
 * which cannot reach a module, or the Bun running it, inside a folder only root may enter (/root); bwrap
 * binds the staged TARGET where SOURCE was. Nothing outside this process's descendants sees the binds.
 *
 * Why: bwrap's monitor returns as soon as the sandbox's first process reports the command's status,
 * before that first process has ended; orphaned, it is left to the machine's init to reap. Some inits
 * reap late (a VM's was seen to take seconds) or never (a container whose first process is the
 * grader), and every zombie of a run's unprivileged uid counts against that uid's process limit, so a
 * slot running a scenario after another soon failed to start with "Can't fork". As a child subreaper
 * (prctl PR_SET_CHILD_SUBREAPER), this process inherits every orphan below it and reaps it itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char USAGE[] = "usage: mems-reaper [--group] [--stage SOURCE TARGET]... [--] COMMAND [ARG...]\n";

/* The command's pid once started (0 before), and whether it leads a process group of its own. */
static volatile pid_t command = 0;
static int group = 0;

/* The grader died (PR_SET_PDEATHSIG): take the command, and with --group its group, along. */
static void grader_died(int signal_number) {
  (void)signal_number;
  if (command > 0) {
    if (group) kill(-command, SIGKILL);
    kill(command, SIGKILL);
  }
  _exit(137);
}

/* Binds each `--stage SOURCE TARGET` of argv (from argv[first]) read-only in a new mount namespace; 0, or -1 having said why. */
static int stage(char **argv, int first, int count) {
  if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
    fprintf(stderr, "mems-reaper: a mount namespace of its own: %s\n", strerror(errno));
    return -1;
  }
  for (int i = 0; i < count; i++) {
    const char *source = argv[first + 3 * i + 1], *target = argv[first + 3 * i + 2];
    if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) != 0 ||
        mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0) {
      fprintf(stderr, "mems-reaper: cannot stage %s on %s: %s\n", source, target, strerror(errno));
      return -1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  int first = 1, staged = 0;
  if (first < argc && strcmp(argv[first], "--group") == 0) {
    group = 1;
    first++;
  }
  int stages = first;
  while (first + 2 < argc && strcmp(argv[first], "--stage") == 0) {
    first += 3;
    staged++;
  }
  if (first < argc && strcmp(argv[first], "--") == 0) first++;
  if (first >= argc || strcmp(argv[first], "--stage") == 0) {
    fputs(USAGE, stderr);
    return 2;
  }
  pid_t grader = getppid();
  // The grader's death ends this process and what it runs (contained, bwrap's --die-with-parent ends the
  // rest of the sandbox). Asked for after the grader may already have died: then its parent is no longer
  // the grader.
  struct sigaction on_death;
  memset(&on_death, 0, sizeof on_death);
  on_death.sa_handler = grader_died;
  sigemptyset(&on_death.sa_mask);
  if (sigaction(SIGTERM, &on_death, NULL) != 0 || prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 ||
      prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    fprintf(stderr, "mems-reaper: prctl: %s\n", strerror(errno));
    return 125;
  }
  if (getppid() != grader) return 125;
  if (staged > 0 && stage(argv, stages, staged) != 0) return 125;

  command = fork();
  if (command == -1) {
    fprintf(stderr, "mems-reaper: fork: %s\n", strerror(errno));
    return 125;
  }
  if (command == 0) {
    execvp(argv[first], argv + first);
    fprintf(stderr, "mems-reaper: %s: %s\n", argv[first], strerror(errno));
    _exit(127);
  }

  // Every child, the command and each orphan handed to us, until none is left.
  int status = 0;
  for (;;) {
    int seen;
    pid_t pid = wait(&seen);
    if (pid == -1) {
      if (errno == EINTR) continue;
      break; // ECHILD: nothing below us any more
    }
    if (pid == command) {
      status = seen;
      if (group) kill(-command, SIGKILL); // what it left in its group (gone already is fine)
    }
  }

  if (WIFSIGNALED(status)) {
    int signal_number = WTERMSIG(status);
    struct rlimit no_core = {0, 0}; // the command's crash, not ours: no core file of this process
    setrlimit(RLIMIT_CORE, &no_core);
    signal(signal_number, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal_number);
    sigprocmask(SIG_UNBLOCK, &only, NULL);
    raise(signal_number);
    return 128 + signal_number; // a signal that does not end a process by default
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}
