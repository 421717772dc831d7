/* sendmail_opts.c - the sendmail command line, as Postfix's sendmail takes it
 *
 * Owns option parsing and the two ways out with a message for the user:
 * sendmail_usage (EX_USAGE) and sendmail_die (any sysexits.h code). The
 * program name picks the mode first: "mailq" is -bp and "newaliases" is
 * -bi. Flags that programs really pass: -t, -i, -oi, -f/-r sender,
 * -F name, -bs, -bp, -bi, -bm (the default), -q (flush), -v, -C DIR
 * (MAIL_CONFIG=DIR otherwise), and "--" before the recipients. Flags
 * Postfix accepts and ignores are accepted and ignored here too (-4 -6
 * -G -U -c -m -n -x, -A/-B/-L/-N/-O/-R/-V/-X/-e/-h/-p with their
 * argument, -o with anything but "i", -q with an interval); -I is -bi.
 * Anything else, and -bd/-bD/-bv and other modes postern does not have,
 * is a usage error. Options end at the first non-option (POSIX), so a
 * recipient can never be read as an option.
 */
#include "sendmail.h"
#include <getopt.h>
#include "buf.h"
#include "log.h"

#define SENDMAIL_OPTSTRING "+:46A:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:q::r:tvx"

/* sendmail_usage - a usage error: what was wrong, then the synopsis */
void
sendmail_usage(const char *fmt, ...)
{
	struct buf *text = buf_new(0);
	va_list ap;

	va_start(ap, fmt);
	(void)buf_vprintf(text, fmt, ap);
	va_end(ap);
	log_error("%s", buf_str(text));
	(void)fprintf(stderr, "usage: sendmail [-t] [-i] [-f sender] "
	    "[-F fullname] [-C config_dir] [-v] [-bs | -bp | -bi | -q] "
	    "[--] [recipient ...]\n");
	buf_free(text);
	exit(EX_USAGE);
}

/* sendmail_opts_mode - -b MODE */
static void
sendmail_opts_mode(struct sendmail_opts *o, const char *arg)
{
	if (strcmp(arg, "m") == 0)
		o->mode = SENDMAIL_MODE_DELIVER;
	else if (strcmp(arg, "s") == 0)
		o->mode = SENDMAIL_MODE_SMTP;
	else if (strcmp(arg, "p") == 0)
		o->mode = SENDMAIL_MODE_MAILQ;
	else if (strcmp(arg, "i") == 0)
		o->mode = SENDMAIL_MODE_NEWALIASES;
	else
		sendmail_usage("unsupported mode: -b%s", arg);
}

/* sendmail_opts_parse - fill o from the command line and MAIL_CONFIG */
void
sendmail_opts_parse(int argc, char **argv, struct sendmail_opts *o)
{
	const char *name = argc > 0 ? argv[0] : "sendmail";
	const char *slash = strrchr(name, '/');
	int     c;

	memset(o, 0, sizeof(*o));
	if (slash != NULL)
		name = slash + 1;
	if (strcmp(name, "mailq") == 0)
		o->mode = SENDMAIL_MODE_MAILQ;
	else if (strcmp(name, "newaliases") == 0)
		o->mode = SENDMAIL_MODE_NEWALIASES;
	o->config_dir = getenv("MAIL_CONFIG");
	if (o->config_dir != NULL && *o->config_dir == '\0')
		o->config_dir = NULL;
	opterr = 0;
	while ((c = getopt(argc, argv, SENDMAIL_OPTSTRING)) != -1) {
		switch (c) {
		case 'C':
			o->config_dir = optarg;
			break;
		case 'F':
			o->full_name = optarg;
			break;
		case 'f':
		case 'r':
			o->sender = optarg;
			break;
		case 'I':
			o->mode = SENDMAIL_MODE_NEWALIASES;
			break;
		case 'b':
			sendmail_opts_mode(o, optarg);
			break;
		case 'i':
			o->ignore_dots = true;
			break;
		case 'o':
			if (strcmp(optarg, "i") == 0)
				o->ignore_dots = true;
			break;	/* -oem, -odb, -om, -oQ...: ignored */
		case 'q':
			/* -q: flush; -qInterval (daemon mode): ignored;
			 * -qRsite and -qSsite: the whole queue is flushed */
			if (optarg == NULL || optarg[0] == 'R'
			    || optarg[0] == 'S')
				o->mode = SENDMAIL_MODE_FLUSH;
			break;
		case 't':
			o->extract = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case '4': case '6': case 'G': case 'U': case 'c': case 'm':
		case 'n': case 'x':
		case 'A': case 'B': case 'L': case 'N': case 'O': case 'R':
		case 'V': case 'X': case 'e': case 'h': case 'p':
			break;	/* accepted and ignored, as Postfix does */
		case ':':
			sendmail_usage("option -%c requires an argument",
			    optopt);
		default:
			sendmail_usage("unknown option: -%c", optopt);
		}
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	if (o->mode == SENDMAIL_MODE_DELIVER && !o->extract && o->argc == 0)
		log_die(EX_USAGE, "no recipient addresses found "
		    "(give recipients, or -t to read them from the message)");
}
