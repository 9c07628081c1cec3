/* The terminal quiet while a secret (passphrase, PIN, share words) is
 * typed: echo off but the newline, restored on every way out, including
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT and a stop (SIGTSTP, then SIGCONT). */
#ifndef TTY_H
#define TTY_H

/* 0 with terminal fd quiet, -1 if it cannot be (with a message). flush:
 * drop what was typed ahead (a passphrase), else keep it (share words
 * pasted in). One terminal at a time. */
int tty_quiet(int fd, int flush);
/* The settings as before tty_quiet, and the old signal actions. */
void tty_restore(void);

#endif
