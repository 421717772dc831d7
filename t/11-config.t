#!/usr/bin/perl
# 11-config.t - a Postfix configuration starts as it is; a bad one does not
#
# Scenario: main.cf and master.cf in the shape Debian's Postfix installs
# (t/data/postfix/), with only the queue and test paths added. postern
# starts, warns about every parameter and service it does not have with
# file and line, and delivers mail. Then: a bad value, a line without '=',
# and a broken master.cf line each stop `postern start` with file, line and
# what was expected, and nothing is left running. A missing mail_owner is
# named clearly.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

plan skip_all => 'needs root' if $> != 0;
my $t = PosternTest->new;
$t->user('pt_alice');
my $port = $t->{port};
my $main = PosternTest::slurp('t/data/postfix/main.cf');
my $master = PosternTest::slurp('t/data/postfix/master.cf');
$master =~ s/127\.0\.0\.1:PORT/127.0.0.1:$port/;
my $bin = PosternTest::bin('');
$bin =~ s{/$}{};
open my $m, '>', "$t->{conf}/main.cf" or die;
print $m $main, <<CF;
queue_directory = $t->{queue}
maillog_file = $t->{log}
daemon_directory = $bin
mail_owner = postern
CF
close $m;
open my $mc, '>', "$t->{conf}/master.cf" or die;
print $mc $master;
close $mc;

ok($t->start, 'a Postfix main.cf/master.cf pair starts') or diag($t->{start_output});
my $log = $t->log_text . ($t->{start_output} // '');
like($log, qr/main\.cf, line \d+: unknown parameter (biff|readme_directory|compatibility_level)/,
    'unknown main.cf parameters: warnings with file and line');
like($log, qr/master\.cf, line \d+: service tlsmgr: no such program/, 'tlsmgr: warning with file and line');
like($log, qr/master\.cf, line \d+: .*postlog/, 'unix-dgram postlog: warning');
unlike($log, qr/: (fatal|error): /, 'no errors');
my $out = $t->smtp("EHLO x\r\nMAIL FROM:<a\@client.example>\r\nRCPT TO:<pt_alice+tag\@test.example>\r\nDATA\r\nSubject: pf\r\n\r\nx\r\n.\r\nQUIT\r\n");
like($out, qr/queued as/, 'mail accepted for a domain of mydestination, with +tag');
my @f = $t->wait_files($t->maildir_new('pt_alice'), 1);
is(scalar @f, 1, 'delivered into Maildir');
ok($t->stop, 'stopped');

my @bad = (
	['message_size_limit = lots', qr/main\.cf, line \d+: message_size_limit: expected a number/, 'bad number'],
	['smtpd_timeout = 5 minutes', qr/main\.cf, line \d+: smtpd_timeout: expected a time/, 'bad time'],
	['this line has no equals sign', qr/main\.cf, line \d+: .*(=|name)/, 'line without ='],
	['smtpd_helo_required = perhaps', qr/main\.cf, line \d+: smtpd_helo_required: expected/, 'bad boolean'],
);
for my $b (@bad) {
	my ($line, $want, $name) = @$b;
	open my $f, '>>', "$t->{conf}/main.cf" or die;
	print $f "$line\n";
	close $f;
	my ($rc, $o) = $t->postern('start');
	isnt($rc, 0, "$name: start refused");
	like($o, $want, "$name: file, line and what was expected");
	ok(!$t->listening, "$name: nothing listens");
	# drop the bad line again
	my $c = PosternTest::slurp("$t->{conf}/main.cf");
	$c =~ s/\Q$line\E\n//;
	open $f, '>', "$t->{conf}/main.cf" or die;
	print $f $c;
	close $f;
}
open my $f, '>>', "$t->{conf}/master.cf" or die;
print $f "broken    unix  -\n";
close $f;
my ($rc, $o) = $t->postern('start');
isnt($rc, 0, 'short master.cf line: start refused');
like($o, qr/master\.cf, line \d+:/, 'short master.cf line: file and line');
ok(!$t->listening, 'short master.cf line: nothing listens');

my $u = PosternTest->new(main => { mail_owner => 'pt_nosuch_owner' });
($rc, $o) = $u->postern('start');
isnt($rc, 0, 'missing mail_owner: start refused');
like($o, qr/mail_owner "pt_nosuch_owner" does not exist.*useradd/s, 'missing mail_owner named, with the fix');
done_testing;
