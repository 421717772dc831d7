#!/usr/bin/perl
# 05-man-params.t - man/man5/postern.5 documents every main.cf parameter
#
# Scenario: no instance. Reads the rows of util/params_table.c (name, type,
# default) and the entries of the PARAMETERS section of postern.5, which
# read ".TP", ".B name", "(\fItype\fR, default \fBvalue\fR)" or
# "(\fItype\fR, default empty)", then the description. Must follow: every
# parameter has an entry with its type and its default as the table has
# them, and a description; no entry names a parameter the table lacks; no
# parameter is documented twice.
use strict;
use warnings;
use Test::More;

my %type_word = (STR => 'string', INT => 'number', TIME => 'time',
    BOOL => 'boolean');

sub slurp {
	my ($path) = @_;
	open my $f, '<', $path or die "$path: $!";
	local $/;
	return scalar <$f>;
}

# the table: rows NAME(name, "default", ...) after "params_table[] = {"
my $src = slurp('util/params_table.c');
$src =~ s{/\*.*?\*/}{}gs;		# comments
$src =~ s{^\s*#.*$}{}mg;		# the row macros' definitions
my ($table) = $src =~ /params_table\[\]\s*=\s*\{(.*?)\n\};/s
    or BAIL_OUT('no params_table in util/params_table.c');
my (@params, %param);
while ($table =~ /\b(STR|INT|TIME|BOOL)\(\s*(\w+)\s*,\s*"((?:[^"\\]|\\.)*)"/g) {
	my ($type, $name, $def) = ($1, $2, $3);
	$def =~ s/\\(.)/$1/g;
	push @params, $name;
	$param{$name} = { type => $type_word{$type}, def => $def };
}
cmp_ok(scalar @params, '>=', 40, 'read the parameter table')
    or BAIL_OUT('cannot parse util/params_table.c');

# the man page: entries of the PARAMETERS section
my $man = slurp('man/man5/postern.5');
my ($section) = $man =~ /^\.SH PARAMETERS\s*\n(.*?)(?=^\.SH )/ms
    or BAIL_OUT('postern.5 has no PARAMETERS section');
my %entry;
my @dups;
for my $chunk (split /^\.TP\s*\n/m, $section) {
	next unless $chunk =~ s/^\.B (\S+)\s*\n//;
	my $name = $1;
	push @dups, $name if exists $entry{$name};
	my ($head, $body) = split /\n/, $chunk, 2;
	$entry{$name} = { head => $head, body => $body // '' };
}
is_deeply(\@dups, [], 'no parameter is documented twice');

# roff_text - the plain text of a roff fragment
sub roff_text {
	my ($s) = @_;
	$s =~ s/\\f[BIRP]//g;
	$s =~ s/\\-/-/g;
	$s =~ s/\\e/\\/g;
	$s =~ s/\\\(dq/"/g;
	return $s;
}

for my $name (@params) {
	my $e = $entry{$name};
	if (!ok($e, "$name is documented")) {
		diag("add to the PARAMETERS section of man/man5/postern.5:\n"
		    . ".TP\n.B $name\n(\\fI$param{$name}{type}\\fR, default "
		    . ($param{$name}{def} eq '' ? 'empty'
			: "\\fB$param{$name}{def}\\fR") . ")\nWhat it does.");
		next;
	}
	my $p = $param{$name};
	my $want = $p->{def} eq '' ? "($p->{type}, default empty)"
	    : "($p->{type}, default $p->{def})";
	is(roff_text($e->{head}), $want, "$name: type and default");
	like($e->{body}, qr/\w/, "$name: has a description");
}
my @extra = grep { !exists $param{$_} } sort keys %entry;
is_deeply(\@extra, [], 'no entry for a parameter the table lacks');
done_testing;
