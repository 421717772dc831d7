#!/usr/bin/perl
# 23-smtp-smuggling.t - a bare CR or LF never ends a message
#
# Scenario: each variant sends a first message whose body holds a fake
# end-of-data sequence followed by a second, smuggled transaction, then the
# real CRLF.CRLF. Exactly one message may be accepted, and no delivered
# file may start with the smuggled headers. With
# smtpd_forbid_bare_newline = yes a bare LF gets the message rejected.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $t = PosternTest->new;
$t->user('pt_alice');
ok($t->start, 'started') or BAIL_OUT('cannot start');
my $new = $t->maildir_new('pt_alice');
my $smuggled = "MAIL FROM:<evil\@client.example>\r\nRCPT TO:<pt_alice\@localhost>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n";
my %variants = (
	'LF.LF'     => "\n.\n",
	'LF.CRLF'   => "\n.\r\n",
	'CRLF.LF'   => "\r\n.\n",
	'CR.CR'     => "\r.\r",
	'CRLF.CR'   => "\r\n.\r",
	'CR.CRLF'   => "\r.\r\n",
	'LF.CR'     => "\n.\r",
);
my $n = 0;
for my $name (sort keys %variants) {
	my $out = $t->smtp("EHLO x\r\nMAIL FROM:<a\@client.example>\r\nRCPT TO:<pt_alice\@localhost>\r\nDATA\r\n"
	    . "Subject: one-$name\r\n\r\nbody" . $variants{$name} . $smuggled . ".\r\nQUIT\r\n");
	my @q = $out =~ /^250 2\.0\.0 Ok: queued/mg;
	is(scalar @q, 1, "$name: exactly one message accepted");
	$n++;
	my @f = $t->wait_files($new, $n, 20);
	my $bad = grep { my $m = PosternTest::slurp($_); my ($h) = split /\n\n/, $m, 2;
		$h =~ /^Subject: smuggled/m } @f;
	is($bad, 0, "$name: no smuggled message delivered");
}
ok($t->wait_until(sub { !$t->queue_files }), 'queue empty');
is(scalar(PosternTest::files_in($new)), $n, 'one file per variant');

my $s = PosternTest->new(main => { smtpd_forbid_bare_newline => 'yes' });
ok($s->start, 'strict instance started');
my $out = $s->smtp("EHLO x\r\nMAIL FROM:<a\@client.example>\r\nRCPT TO:<pt_alice\@localhost>\r\nDATA\r\n"
    . "Subject: bare\r\n\r\nbody\n.\n" . $smuggled . ".\r\nQUIT\r\n");
like($out, qr/^550 5\.5\.2 /m, 'bare LF rejected with 550 5.5.2 when forbidden');
unlike($out, qr/queued as/, 'nothing queued');
done_testing;
