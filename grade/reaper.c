/*
 * mems-reaper: the first process of every sandboxed run of `mems grade` (grade/sandbox.ts builds it
 * with the system's C compiler on first use and keeps it in the user's cache, outside the sandbox: it
 * is ours, not a submission's).
 *
 *   mems-reaper [--group] [--stage SOURCE TARGET]... [--] COMMAND [ARG...]
 *
 * Runs COMMAND as its child and exits only once every process below it has ended and been reaped,
 * with COMMAND's exit status (or dying of the signal COMMAND died of). When the grader dies, even of
 * SIGKILL, it kills COMMAND (and with --group its process group), then every process handed to it
 * (a sandbox's first process whose bwrap was killed before it could ask to die with it), and goes.
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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
/* The grader has died: everything below this process is killed, then it goes. */
static volatile sig_atomic_t grader_gone = 0;

/* The grader died (PR_SET_PDEATHSIG): the command, and with --group its group, killed at once; the
   processes handed to us are main's to kill (reading /proc is no work for a signal handler). */
static void grader_died(int signal_number) {
  (void)signal_number;
  grader_gone = 1;
  if (command > 0) {
    if (group) kill(-command, SIGKILL);
    kill(command, SIGKILL);
  }
}

/* SIGKILL to every process whose parent is this one: the command, and the orphans handed to us. */
static void kill_children(void) {
  DIR *proc = opendir("/proc");
  if (proc == NULL) return;
  long self = (long)getpid();
  struct dirent *entry;
  while ((entry = readdir(proc)) != NULL) {
    char *end;
    long pid = strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue; // gone since the listing
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) continue;
    text[n] = '\0';
    // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so read after the last ")".
    char *after = strrchr(text, ')');
    char state;
    long parent;
    if (after != NULL && sscanf(after + 1, " %c %ld", &state, &parent) == 2 && parent == self) kill((pid_t)pid, SIGKILL);
  }
  closedir(proc);
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

  // Every child, the command and each orphan handed to us, until none is left (all killed once the
  // grader is gone: the handler's signal ends a wait with EINTR, and each death may hand us more).
  int status = 0;
  for (;;) {
    if (grader_gone) kill_children();
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

  if (grader_gone) return 137;
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
