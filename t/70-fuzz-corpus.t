#!/usr/bin/perl
# 70-fuzz-corpus.t - every fuzz target survives its seed corpus
#
# Scenario: each program in $POSTERN_FUZZ (built from t/fuzz/*.c with the
# sanitizers) is fed every file of t/fuzz/corpus/<target>/ and a few
# generated hostile inputs; it must exit normally (0), never by a signal or
# a sanitizer report. A real fuzzing campaign runs the same targets under
# AFL++; this keeps them building and the corpus crash-free.
use strict;
use warnings;
use Test::More;

my $dir = $ENV{POSTERN_FUZZ} // 'build/test/fuzz';
my @targets = grep { -x } glob("$dir/*");
plan skip_all => "no fuzz targets in $dir" unless @targets;
my @hostile = ('', "\0" x 100, "\xff" x 5000, "<" x 3000, "V\0\0\0\x0fpostern-queue 1S\xff\xff\xff\xff");
for my $t (@targets) {
	my ($name) = $t =~ m{([^/]+)$};
	my @inputs = grep { -f } glob("t/fuzz/corpus/$name/*");
	my $i = 0;
	for my $h (@hostile) {
		my $p = "/tmp/postern-fuzz-$$-" . $i++;
		open my $f, '>:raw', $p or die; print $f $h; close $f;
		push @inputs, $p;
	}
	for my $in (@inputs) {
		system("$t '$in' >/dev/null 2>&1");
		is($?, 0, "$name survives " . ($in =~ m{^/tmp/} ? 'a hostile input' : $in));
	}
	unlink grep { m{^/tmp/postern-fuzz-} } @inputs;
}
done_testing;
