/*
 * mems-reaper: the first process of every sandboxed run of `mems grade` (grade/sandbox.ts builds it
 * with the system's C compiler once per grading, outside the sandbox: it is ours, not a submission's).
 *
 *   mems-reaper COMMAND [ARG...]
 *
 * Runs COMMAND as its child and exits only once every process below it has ended and been reaped,
 * with COMMAND's exit status (or dying of the signal COMMAND died of).
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
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: mems-reaper COMMAND [ARG...]\n", stderr);
    return 2;
  }
  pid_t grader = getppid();
  // The grader's death ends this process (and bwrap's --die-with-parent the sandbox below it). Asked
  // for after the grader may already have died: then its parent is no longer the grader.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    fprintf(stderr, "mems-reaper: prctl: %s\n", strerror(errno));
    return 125;
  }
  if (getppid() != grader) return 125;

  pid_t command = fork();
  if (command == -1) {
    fprintf(stderr, "mems-reaper: fork: %s\n", strerror(errno));
    return 125;
  }
  if (command == 0) {
    execvp(argv[1], argv + 1);
    fprintf(stderr, "mems-reaper: %s: %s\n", argv[1], strerror(errno));
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
    if (pid == command) status = seen;
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
