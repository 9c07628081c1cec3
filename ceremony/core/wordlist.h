/* The SLIP-39 word list, as data: 1024 words, sorted, each unique in its
 * first four letters. Shares and spoken fingerprints both use it. */
#ifndef WORDLIST_H
#define WORDLIST_H

#define SLIP39_WORDS 1024

extern const char *const slip39_wordlist[SLIP39_WORDS];

#endif
