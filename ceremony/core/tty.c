/* The terminal quiet while a secret is typed: echo off (but the newline),
 * and back as it was on every way out, signals included. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/tty.h"
#include "core/util.h"

static struct termios tty_saved, tty_quiet_mode;
static int tty_fd = -1;
static volatile sig_atomic_t tty_is_quiet;
static const int tty_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT,
    SIGTSTP, SIGCONT};
#define NSIG_TTY (sizeof(tty_signals) / sizeof(tty_signals[0]))
static struct sigaction tty_old[NSIG_TTY];

static void tty_on_signal(int sig);

static void
tty_catch(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(sig, &sa, NULL);
}

/* Async-signal-safe: tcsetattr, sigaction, sigprocmask, raise. */
static void
tty_on_signal(int sig)
{
	int e = errno;
	sigset_t set;
	size_t i;

	if (sig == SIGCONT) { /* back from a stop: quiet again */
		if (tty_is_quiet)
			tcsetattr(tty_fd, TCSANOW, &tty_quiet_mode);
		errno = e;
		return;
	}
	if (tty_is_quiet)
		tcsetattr(tty_fd, TCSANOW, &tty_saved);
	for (i = 0; i < NSIG_TTY; i++)
		if (tty_signals[i] == sig)
			sigaction(sig, &tty_old[i], NULL);
	/* the old action (a stop for SIGTSTP) once unblocked */
	raise(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* still here (continued, or a handler that returned): quiet again */
	tty_catch(sig);
	if (tty_is_quiet)
		tcsetattr(tty_fd, TCSANOW, &tty_quiet_mode);
	errno = e;
}

int
tty_quiet(int fd, int flush)
{
	size_t i;

	tty_fd = fd;
	if (tcgetattr(tty_fd, &tty_saved) == -1) {
		warnf("the terminal: cannot read its settings: %s",
		    strerror(errno));
		return -1;
	}
	tty_quiet_mode = tty_saved;
	tty_quiet_mode.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	tty_quiet_mode.c_lflag |= ECHONL;
	for (i = 0; i < NSIG_TTY; i++) {
		sigaction(tty_signals[i], NULL, &tty_old[i]);
		if (tty_old[i].sa_handler != SIG_IGN)
			tty_catch(tty_signals[i]);
	}
	/* TCSANOW keeps what was typed or pasted ahead; TCSAFLUSH drops it */
	tty_is_quiet = 1;
	if (tcsetattr(tty_fd, flush ? TCSAFLUSH : TCSANOW,
	    &tty_quiet_mode) == -1) {
		warnf("the terminal: cannot turn echo off: %s",
		    strerror(errno));
		tty_is_quiet = 0;
		for (i = 0; i < NSIG_TTY; i++)
			sigaction(tty_signals[i], &tty_old[i], NULL);
		return -1;
	}
	return 0;
}

/* The signals held meanwhile: one that comes finds the terminal back. */
void
tty_restore(void)
{
	sigset_t set, old;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < NSIG_TTY; i++)
		sigaddset(&set, tty_signals[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	tty_is_quiet = 0;
	tcsetattr(tty_fd, TCSANOW, &tty_saved);
	for (i = 0; i < NSIG_TTY; i++)
		sigaction(tty_signals[i], &tty_old[i], NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

