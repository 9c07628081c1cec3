/* One function per command: cmd_<name>(argc, argv), argv[0] = name. */
#ifndef CMD_H
#define CMD_H

int cmd_root(int argc, char **argv);
int cmd_intermediate(int argc, char **argv);
int cmd_verification(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_transcript(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_shares(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_preview(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_verify_signature(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_crl(int argc, char **argv);
int cmd_ledger(int argc, char **argv);

#endif
