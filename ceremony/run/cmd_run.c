/* ceremony run: the whole ceremony from one reviewed config, with witness
 * checkpoints; resumable after an interruption. */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/airgap.h"
#include "cmd.h"
#include "ca/keystore.h"
#include "ca/p11uri.h"
#include "ca/pki.h"
#include "run/run.h"
#include "core/secret.h"
#include "backup/slip39.h"
#include "core/transcript.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony run [--check] [--yes] [--rehearse] [--require-airgap]\n"
    "                    [--passphrase-file F | --passphrase-fd N]\n"
    "                    [--share-passphrase-file F |\n"
    "                     --share-passphrase-fd N]\n"
    "                    [--pin-file F | --pin-fd N] CONFIG\n\n"
    "Runs root, each [intermediate NAME], verification, template, backup\n"
    "and bundle as CONFIG says\n"
    "(write an example with 'ceremony init'). Prints the config's SHA-256\n"
    "first; the transcript records it. At each checkpoint it waits for the\n"
    "operator to type 'yes' on standard input.\n\n"
    "  --check            validate CONFIG and print the plan; do nothing\n"
    "  --yes              do not stop at checkpoints\n"
    "  --rehearse         practise in a temp dir with throwaway keys and a\n"
    "                     fake registration code; outputs say REHEARSAL\n"
    "  --require-airgap   refuse to run with a network interface up, a\n"
    "                     default route, or an uninitialised RNG\n"
    PASS_HELP
    "                     (the key passphrase; asked at the terminal\n"
    "                     otherwise)\n"
    "  --share-passphrase-file F, --share-passphrase-fd N\n"
    "                     the SLIP-39 passphrase when [backup] says\n"
    "                     slip39_passphrase = yes (asked twice otherwise)\n"
    "  --pin-file F       the token PIN when [root] has key_uri (the CA key\n"
    "                     made in a PKCS#11 token); asked otherwise\n"
    "  --pin-fd N         read that PIN from file descriptor N\n"
    "A new passphrase (the key's before root has run, the SLIP-39 one)\n"
    "needs at least " PASS_MIN_TEXT " characters; --rehearse asks for none.\n\n"
    "After an interruption, run the same command again: finished steps are\n"
    "checked against the transcript and skipped. A changed CONFIG is\n"
    "refused.\n";

static const struct step {
	const char *name;
	int (*fn)(int, char **);
	int secret; /* reads the key passphrase */
} steps[] = {
	{"root", cmd_root, 1},
	{"verification", cmd_verification, 1},
	{"template", cmd_template, 0},
	{"backup", cmd_backup, 1},
	{"bundle", cmd_bundle, 1},
	{NULL, NULL, 0},
};

static int
step_wanted(struct run *r, const char *name)
{
	const char *mode = run_get(r, "template", "mode");

	if (strcmp(name, "verification") == 0)
		return mode == NULL || strcmp(mode, "sni-only") != 0;
	if (strcmp(name, "backup") == 0 || strcmp(name, "bundle") == 0)
		return NCONF_get_section(r->cfg.conf, name) != NULL;
	return 1;
}

/* Runs one command with the passphrases fed through pipes. */
static int
step_exec(struct run *r, const struct step *s, int force)
{
	struct argv_buf a = {{NULL}, 0};
	int fd1 = -1, fd2 = -1, fd3 = -1, rv = EXIT_USAGE;

	run_step_args(r, s->name, &a);
	if (force)
		argv_push(&a, "--force");
	if (s->secret && r->pass != NULL &&
	    run_feed(&a, "--passphrase-fd", r->pass, &fd1) == -1)
		goto out;
	if (strcmp(s->name, "backup") == 0 && r->share_pass != NULL &&
	    run_feed(&a, "--share-passphrase-fd", r->share_pass, &fd2) == -1)
		goto out;
	if (r->pin != NULL && (strcmp(s->name, "root") == 0 ||
	    strcmp(s->name, "verification") == 0) &&
	    run_feed(&a, "--pin-fd", r->pin, &fd3) == -1)
		goto out;
	optind = 0; /* restart getopt for the step */
	fflush(stdout);
	if (transcript_begin() == -1)
		goto out;
	rv = s->fn(a.n, a.v);
	fflush(stdout);
out:
	if (fd1 != -1)
		close(fd1);
	if (fd2 != -1)
		close(fd2);
	if (fd3 != -1)
		close(fd3);
	argv_free(&a);
	return rv;
}

/* [root] key_uri: a URI without a PIN, and no [backup] (the key made in
 * the token cannot be read out to back up: back up a file key, then
 * 'ceremony key import'). */
static int
run_key_uri_check(struct run *r)
{
	const char *u = run_get(r, "root", "key_uri");
	struct p11uri pu;
	char err[256];

	if (u == NULL)
		return 0;
	if (p11uri_parse(u, &pu, err, sizeof(err)) == -1) {
		warnf("[root] key_uri: %s", err);
		return -1;
	}
	if (step_wanted(r, "backup")) {
		warnf("[root] key_uri: a key made in the token cannot be backed "
		      "up, so [backup] cannot run; for a SLIP-39 backup make "
		      "the key in a file (no key_uri), back it up, then "
		      "'ceremony key import'");
		return -1;
	}
	return 0;
}

#define SOFTHSM_MODULE RUN_SOFTHSM_MODULE

/* --rehearse with [root] key_uri: a throwaway SoftHSM2 token in the
 * rehearsal directory, with a random PIN, holds the rehearsal's key. */
static int
rehearsal_token(struct run *r)
{
	struct p11uri u, t;
	char err[512], text[4200 + 128], dir[4096], so[33];
	unsigned char b[16];
	int n, rv = -1;

	if (!run_any_key_uri(r))
		return 0;
	if ((run_get(r, "root", "key_uri") != NULL &&
		p11uri_parse(run_get(r, "root", "key_uri"), &u, err,
		sizeof(err)) == -1) || getcwd(dir, sizeof(dir)) == NULL)
		return -1;
	if (access(SOFTHSM_MODULE, R_OK) == -1) {
		warnf("--rehearse with [root] key_uri rehearses on a throwaway "
		      "SoftHSM2 token: install softhsm2 (%s)", SOFTHSM_MODULE);
		return -1;
	}
	n = snprintf(text, sizeof(text), "directories.tokendir = %s/softhsm/"
	    "tokens\nobjectstore.backend = file\nlog.level = ERROR\n", dir);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    dir_make("softhsm/tokens", 0700) == -1 ||
	    file_write("softhsm/softhsm2.conf", text, (size_t)n, 0600, 0) ==
		-1)
		return -1;
	snprintf(text, sizeof(text), "%s/softhsm/softhsm2.conf", dir);
	if (setenv("SOFTHSM2_CONF", text, 1) == -1 ||
	    (r->pin = sodium_malloc(33)) == NULL)
		return -1;
	randombytes_buf(b, sizeof(b));
	hex_encode(b, sizeof(b), r->pin);
	randombytes_buf(b, sizeof(b));
	hex_encode(b, sizeof(b), so);
	if (keystore_init_token(SOFTHSM_MODULE, "REHEARSAL", so, r->pin, err,
		sizeof(err)) == -1) {
		warnf("--rehearse: %s", err);
		goto out;
	}
	memset(&t, 0, sizeof(t));
	snprintf(t.token, sizeof(t.token), "REHEARSAL");
	snprintf(t.module, sizeof(t.module), "%s", SOFTHSM_MODULE);
	if (run_get(r, "root", "key_uri") != NULL) {
		snprintf(t.object, sizeof(t.object), "%s", u.object);
		if (p11uri_format(&t, r->rehearse_uri,
		    sizeof(r->rehearse_uri)) == -1)
			goto out;
	}
	printf("REHEARSAL token: a throwaway SoftHSM2 token in %s/softhsm "
	       "in place of each key_uri\n", dir);
	rv = 0;
out:
	sodium_memzero(so, sizeof(so));
	return rv;
}

static int
ask_code(struct run *r)
{
	char line[256], *c;

	if (r->rehearse) {
		unsigned char b[32];
		randombytes_buf(b, sizeof(b));
		hex_encode(b, sizeof(b), r->code);
		return 0;
	}
	c = (char *)run_get(r, "verification", "registration_code");
	if (c != NULL && strcmp(c, "ask") != 0) {
		snprintf(r->code, sizeof(r->code), "%s", c);
		return 0;
	}
	printf("Registration code (64 hex characters from 'aws iot "
	       "get-registration-code'): ");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL) {
		warnf("no registration code given");
		return -1;
	}
	snprintf(r->code, sizeof(r->code), "%s", str_trim(line));
	return 0;
}

/* A relative --passphrase-file made absolute (held in *abs), since the
 * steps run inside the ceremony directory. */
static int
pass_file_absolute(struct pass_src *src, char **abs)
{
	if (src->file == NULL)
		return 0;
	if ((*abs = realpath(src->file, NULL)) == NULL) {
		warnf("%s: cannot open passphrase file: %s", src->file,
		    strerror(errno));
		return -1;
	}
	src->file = *abs;
	return 0;
}

/* The key passphrase (new until root has run) and the SLIP-39 one (new,
 * until backup has run); none when rehearsing. since 0: a new ceremony. */
static int
ask_passes(struct run *r, const char *pp, struct pass_src *src,
    struct pass_src *share_src, long since)
{
	const char *sp = run_get(r, "backup", "slip39_passphrase");

	if (r->rehearse)
		return 0;
	if ((pp == NULL || strcmp(pp, "yes") == 0) &&
	    (r->pass = pass_get(src, "CA key", since == 0 ||
		!run_step_done("root", since))) == NULL)
		return -1;
	if (step_wanted(r, "backup") && sp != NULL && strcmp(sp, "yes") == 0 &&
	    (since == 0 || !run_step_done("backup", since)) &&
	    (r->share_pass = pass_get(share_src, "SLIP-39 share", 1)) == NULL)
		return -1;
	return 0;
}

/* The token PIN for [root] key_uri, once (a rehearsal makes its own). */
static int
ask_pin(struct run *r, struct pass_src *src)
{
	if (r->rehearse || r->pin != NULL || !run_any_key_uri(r))
		return 0;
	return (r->pin = pass_get(src, "token PIN", 0)) == NULL ? -1 : 0;
}

/* The plan's line of each [intermediate NAME]; they run after root. */
static void
plan_cas(struct run *r)
{
	char buf[128];
	int i, k;

	for (i = 0; i < r->ncas; i++) {
		struct argv_buf a = {{NULL}, 0};

		run_ca_args(r, i, &a);
		printf("  ceremony");
		for (k = 0; k < a.n; k++) {
			putchar(' ');
			run_sh_word(stdout, a.v[k]);
		}
		printf("%s\n", run_ca_secrets(r, i, buf, sizeof(buf)));
		argv_free(&a);
	}
}

static void
print_plan(struct run *r)
{
	const struct step *s;
	int i;

	printf("Plan (directory ");
	if (r->rehearse)
		printf("<temp REHEARSAL dir>");
	else
		run_sh_word(stdout, run_get(r, "ceremony", "directory"));
	printf("):\n");
	for (s = steps; s->name != NULL; s++) {
		struct argv_buf a = {{NULL}, 0};
		if (!step_wanted(r, s->name))
			continue;
		run_step_args(r, s->name, &a);
		printf("  ceremony");
		for (i = 0; i < a.n; i++) {
			putchar(' ');
			run_sh_word(stdout, a.v[i]);
		}
		printf("%s%s\n", s->secret && r->pass ? " --passphrase-fd N" :
		    "", run_get(r, "root", "key_uri") && !r->rehearse &&
		    (strcmp(s->name, "root") == 0 ||
			strcmp(s->name, "verification") == 0) ? " --pin-fd N" :
		    "");
		argv_free(&a);
		if (strcmp(s->name, "root") == 0)
			plan_cas(r);
	}
}

/* Enters the ceremony directory; on resume checks transcript and config.
 * 1 resuming, 0 a new ceremony, RC_CHECK when the config changed since
 * the ceremony started, -1 on other errors. */
static int
enter_dir(struct run *r, long *since)
{
	json_t *l;
	const char *was;

	*since = 0;
	if (r->rehearse) {
		const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(r->dir, sizeof(r->dir), "%s/ceremony-REHEARSAL-XXXXXX",
		    tmp);
		if (mkdtemp(r->dir) == NULL) {
			warnf("%s: cannot create the rehearsal directory", tmp);
			return -1;
		}
	} else {
		snprintf(r->dir, sizeof(r->dir), "%s",
		    run_get(r, "ceremony", "directory"));
		if (dir_make(r->dir, 0700) == -1)
			return -1;
	}
	if (chdir(r->dir) == -1) {
		warnf("%s: cannot enter the ceremony directory", r->dir);
		return -1;
	}
	if (dir_check_state(".", r->dir) == -1 || transcript_begin() == -1)
		return -1;
	if (!file_exists(TRANSCRIPT_FILE))
		return 0;
	if (transcript_verify(TRANSCRIPT_FILE, 1, NULL) != 0) {
		warnf("%s/%s: the transcript and the outputs disagree; not "
		      "resuming", r->dir, TRANSCRIPT_FILE);
		return -1;
	}
	if ((l = transcript_last(TRANSCRIPT_FILE, "run")) == NULL) {
		warnf("%s holds a ceremony that 'ceremony run' did not start; "
		      "use an empty directory", r->dir);
		return -1;
	}
	was = json_string_value(json_object_get(json_object_get(l, "args"),
	    "config_sha256"));
	if (was == NULL || strcmp(was, r->cfg.sha256) != 0) {
		warnf("%s: the config changed since this ceremony started "
		      "(SHA-256 %s then, %s now); refusing to continue",
		    r->cfg.path, was ? was : "?", r->cfg.sha256);
		json_decref(l);
		return RC_CHECK;
	}
	*since = (long)json_integer_value(json_object_get(l, "seq"));
	json_decref(l);
	printf("Resuming the ceremony in %s\n", r->dir);
	return 1;
}

int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"check", 0, NULL, 'c'}, {"yes", 0, NULL, 'y'},
		{"rehearse", 0, NULL, 'r'}, {"require-airgap", 0, NULL, 'a'},
		{"share-passphrase-file", 1, NULL, 'S'},
		{"share-passphrase-fd", 1, NULL, 'D'},
		{"pin-file", 1, NULL, 'P'}, {"pin-fd", 1, NULL, 'F'},
		PASS_LONGOPTS, {"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct pass_src src = PASS_SRC_INIT, pin_src = PASS_SRC_INIT;
	struct run r;
	const struct step *s;
	const char *subj, *pp;
	struct pass_src share_src = PASS_SRC_INIT;
	json_t *air = NULL;
	char *passfile = NULL, *sharefile = NULL, *pinfile = NULL;
	long since;
	int c, check = 0, airgap = 0, problems, resumed, fresh;
	int rv = EXIT_USAGE;

	memset(&r, 0, sizeof(r));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': check = 1; break;
		case 'y': r.yes = 1; break;
		case 'r': r.rehearse = 1; break;
		case 'a': airgap = 1; break;
		case 'P':
		case 'F':
			if (pass_option(&pin_src, c == 'P' ? PASS_OPT_FILE :
			    PASS_OPT_FD, optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'S':
		case 'D':
			if (pass_option(&share_src, c == 'S' ? PASS_OPT_FILE :
			    PASS_OPT_FD, optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (pass_option(&src, c, optarg) == 0)
				break;
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		warnf("run: give exactly one CONFIG file (write one with "
		      "'ceremony init')");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (config_load(argv[optind], run_schema, &r.cfg) == -1)
		return EXIT_USAGE;
	run_ca_load(&r);
	/* the run works inside the ceremony directory */
	if (pass_file_absolute(&src, &passfile) == -1 ||
	    pass_file_absolute(&share_src, &sharefile) == -1 ||
	    pass_file_absolute(&pin_src, &pinfile) == -1 ||
	    run_key_uri_check(&r) == -1 || run_ca_check(&r) == -1 ||
	    run_regions_check(&r) == -1)
		goto out;
	printf("Config %s\n  SHA-256 %s\n", argv[optind], r.cfg.sha256);
	subj = run_get(&r, "root", "subject");
	snprintf(r.subject, sizeof(r.subject), "%s%s", subj,
	    r.rehearse ? "/OU=REHEARSAL" : "");
	pp = run_get(&r, "root", "passphrase");
	if (check) {
		r.pass = (pp == NULL || strcmp(pp, "yes") == 0) ? (char *)"" :
		    NULL;
		print_plan(&r);
		r.pass = NULL;
		rv = 0;
		goto out;
	}
	problems = airgap_check(&air, 1);
	if (airgap && problems > 0) {
		warnf("--require-airgap: %d air-gap problem(s) above; "
		      "disconnect the machine and run again", problems);
		rv = EXIT_CHECK;
		goto out;
	}
	/* a new ceremony asks before making its directory, so that a
	 * refused passphrase leaves nothing behind */
	fresh = !r.rehearse && !file_exists(run_get(&r, "ceremony",
	    "directory"));
	if (fresh && ask_passes(&r, pp, &src, &share_src, 0) == -1)
		goto out;
	if (ask_pin(&r, &pin_src) == -1)
		goto out;
	if ((resumed = enter_dir(&r, &since)) < 0) {
		rv = resumed == RC_CHECK ? EXIT_CHECK : EXIT_USAGE;
		goto out;
	}
	if (r.rehearse)
		printf("REHEARSAL in %s (throwaway keys, fake registration "
		       "code)\n", r.dir);
	if (r.rehearse && rehearsal_token(&r) == -1)
		goto out;
	if (!fresh && ask_passes(&r, pp, &src, &share_src, since) == -1)
		goto out;
	if (ask_pin(&r, &pin_src) == -1)
		goto out;
	if (!resumed) {
		json_t *args = json_pack("{s:s,s:s,s:b,s:O}", "config",
		    argv[optind], "config_sha256", r.cfg.sha256, "rehearsal",
		    r.rehearse, "airgap", air);
		if (transcript_append("run", args, NULL, NULL, r.rehearse ?
			json_pack("{s:s}", "mark", "REHEARSAL") : NULL) == -1)
			goto out;
		json_t *l = transcript_last(TRANSCRIPT_FILE, "run");
		since = (long)json_integer_value(json_object_get(l, "seq"));
		json_decref(l);
	}
	r.since = since;
	for (s = steps; s->name != NULL; s++) {
		if (!step_wanted(&r, s->name))
			continue;
		if (run_step_done(s->name, since)) {
			printf("\n== %s: done earlier, skipped\n", s->name);
			if (run_checkpoint_after(&r, s->name) == -1) {
				rv = EXIT_CHECK;
				goto out;
			}
			if (strcmp(s->name, "root") == 0 &&
			    (rv = run_cas(&r, since)) != 0)
				goto out;
			rv = EXIT_USAGE;
			continue;
		}
		if (run_checkpoint_before(&r, s->name) == -1) {
			rv = EXIT_CHECK;
			goto out;
		}
		printf("\n== %s\n", s->name);
		if (strcmp(s->name, "verification") == 0 && ask_code(&r) == -1)
			goto out;
		if ((rv = step_exec(&r, s, 1)) != 0) {
			warnf("step %s failed (exit %d); fix the cause and run "
			      "the same command again to continue", s->name, rv);
			goto out;
		}
		rv = EXIT_USAGE;
		if (run_checkpoint_after(&r, s->name) == -1) {
			rv = EXIT_CHECK;
			goto out;
		}
		if (strcmp(s->name, "root") == 0 && (rv = run_cas(&r, since)))
			goto out;
		rv = EXIT_USAGE;
	}
	printf("\nCeremony complete in %s\n", r.dir);
	if (r.rehearse)
		printf("REHEARSAL outputs: throwaway; delete %s when done\n",
		    r.dir);
	rv = 0;
out:
	json_decref(air);
	free(passfile);
	free(sharefile);
	free(pinfile);
	pass_free(r.pin);
	pass_free(r.pass);
	pass_free(r.share_pass);
	run_ca_free(&r);
	config_free(&r.cfg);
	return rv;
}
