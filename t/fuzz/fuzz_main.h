/* fuzz_main.h - the stand-alone driver shared by the libFuzzer-style targets
 *
 * Included last by a target that defines FUZZ_MAX, FUZZ_NAME and
 * LLVMFuzzerTestOneInput: without -DPOSTERN_LIBFUZZER it adds a main() that
 * reads one input (at most FUZZ_MAX bytes) from the file named in argv[1],
 * or stdin, and runs it once, so that the targets run under AFL++ and over
 * the seed corpus in t/70-fuzz-corpus.t. Header-only: the Makefile builds
 * each target source into a program of its own.
 */
#ifndef POSTERN_FUZZ_MAIN_H
#define POSTERN_FUZZ_MAIN_H

#ifndef POSTERN_LIBFUZZER
int
main(int argc, char **argv)
{
	static unsigned char data[FUZZ_MAX];
	size_t  len = 0;
	ssize_t n;
	int     fd = 0;

	log_init(FUZZ_NAME);
	if (argc > 1 && (fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argv[1]);
		return 1;
	}
	while (len < sizeof(data)
	    && (n = read(fd, data + len, sizeof(data) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("read");
			return 1;
		}
		len += (size_t)n;
	}
	return LLVMFuzzerTestOneInput(data, len);
}
#endif

#endif
