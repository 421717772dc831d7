#!/usr/bin/perl
# 81-sendmail.t - the sendmail command, postdrop and pickup, end to end
#
# Scenario: an instance as root (pickup in master.cf), postdrop made setgid
# postdrop as installed, and an ordinary user pt81_sender submitting with
# the built sendmail (runuser). Must follow: cron-style "sendmail -t"
# reaches To and Bcc recipients with the Bcc header removed and a From
# header "Full Name <user@myorigin>" added; pickup logs "ID: uid=N
# from=<...>"; -i keeps a lone "." line, the default ends input there;
# -f and -F set sender and From; a -bs session queues a message; mail
# submitted while postern is stopped waits in maildrop/ and is delivered
# after start, and a hand-written maildrop file goes to corrupt/ with a
# log line; no recipients and unknown flags exit 64 (EX_USAGE); a
# message with 10000 recipients and one with a 100 KB header line get
# clear answers; bsd-mailx's "mail -s" pointed at our sendmail (MAILRC
# "set sendmail=...", MAIL_CONFIG) delivers.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Temp qw(tempfile);
use POSIX ();
use PosternTest;

plan skip_all => 'needs root' unless $> == 0;

my $t = PosternTest->new(main => { myorigin => 'mx.test.example' });
my $bin = PosternTest::bin('');
$bin =~ s{/$}{};
plan skip_all => 'pickup not built' unless -x "$bin/pickup";
$t->user($_) for qw(pt81_rcpt pt81_bcc pt81_sender);
system("usermod -c 'Pat Sender' pt81_sender") == 0 or die "usermod";
# postdrop as installed: setgid postdrop
system('chgrp', 'postdrop', "$bin/postdrop") == 0 or die 'chgrp';
chmod 02755, "$bin/postdrop" or die "chmod: $!";
ok($t->start, 'started') or BAIL_OUT('cannot start');
my $conf = $t->{conf};
my $uid = getpwnam('pt81_sender');

# submit - run @cmd as pt81_sender with $input on stdin
sub submit {
	my ($input, @cmd) = @_;
	my ($fh, $file) = tempfile('pt81-XXXXXX', DIR => $t->{dir});
	print $fh $input;
	close $fh;
	chmod 0644, $file;
	my $pid = open(my $out, '-|') // die "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', $file or die;
		open STDERR, '>&', \*STDOUT;
		exec 'runuser', '-u', 'pt81_sender', '--', @cmd;
		exit 127;
	}
	local $/;
	my $text = <$out> // '';
	close $out;
	return ($? >> 8, $text);
}

# newest - wait for a message matching re in user's Maildir; its text
sub newest {
	my ($user, $n, $re) = @_;
	my $found = '';
	$t->wait_until(sub {
		for my $f (PosternTest::files_in($t->maildir_new($user))) {
			my $m = PosternTest::slurp($f) // '';
			if ($m =~ $re) { $found = $m; return 1 }
		}
		return 0;
	}, 20);
	return $found;
}

my $sm = "$bin/sendmail";

# 1. cron style: sendmail -t, To and Bcc
my ($rc, $out) = submit("To: pt81_rcpt\@mx.test.example\nBcc: pt81_bcc\@mx.test.example\nSubject: cron output\n\nline 1\n",
    $sm, '-C', $conf, '-t', '-i');
is($rc, 0, '-t exits 0') or diag($out);
my $m = newest('pt81_rcpt', 1, qr/cron output/);
like($m, qr/^From: Pat Sender <pt81_sender\@mx\.test\.example>$/m, 'From added from passwd');
unlike($m, qr/^Bcc:/mi, 'no Bcc header at the To recipient');
like($m, qr/^Received: by mx\.test\.example \(\S+, from userid $uid\)/m, 'Received names the uid');
like($m, qr/^Message-ID: /m, 'Message-ID added');
like($m, qr/^Date: /m, 'Date added');
my $b = newest('pt81_bcc', 1, qr/cron output/);
like($b, qr/line 1/, 'Bcc recipient got it');
unlike($b, qr/^Bcc:/mi, 'no Bcc header at the Bcc recipient');
ok($t->wait_log(qr/: uid=$uid from=<pt81_sender\@mx\.test\.example>/), 'pickup log line');

# 2. -i keeps a lone dot; the default ends input there
($rc, $out) = submit("Subject: dot i\n\nbefore\n.\nafter\n", $sm, '-C', $conf, '-i', 'pt81_rcpt');
is($rc, 0, '-i exits 0') or diag($out);
$m = newest('pt81_rcpt', 2, qr/dot i/);
like($m, qr/before\n\.\nafter\n/, 'lone dot kept under -i');
($rc, $out) = submit("Subject: dot default\n\nbefore\n.\nafter\n", $sm, '-C', $conf, 'pt81_rcpt');
is($rc, 0, 'default exits 0') or diag($out);
$m = newest('pt81_rcpt', 3, qr/dot default/);
like($m, qr/before\n/, 'text before the dot');
unlike($m, qr/after/, 'input ended at the lone dot');

# 3. -f and -F
($rc, $out) = submit("Subject: f and F\n\nbody\n", $sm, '-C', $conf, '-f', 'cron@other.example', '-F', 'Cron Daemon', '--', 'pt81_rcpt@mx.test.example');
is($rc, 0, '-f -F exit 0') or diag($out);
$m = newest('pt81_rcpt', 4, qr/f and F/);
like($m, qr/^From: Cron Daemon <cron\@other\.example>$/m, 'From from -F and -f');
like($m, qr/^Return-Path: <cron\@other\.example>$/m, 'envelope sender from -f');

# 4. -bs
($rc, $out) = submit("HELO client\r\nMAIL FROM:<pt81_sender\@mx.test.example>\r\nRCPT TO:<pt81_rcpt\@mx.test.example>\r\nDATA\r\nSubject: via bs\r\n\r\n..dot stuffed\r\n.\r\nQUIT\r\n",
    $sm, '-C', $conf, '-bs');
like($out, qr/^220 .*\r\n250 .*\r\n250 2\.1\.0.*\r\n250 2\.1\.5.*\r\n354 .*\r\n250 2\.0\.0 Ok: queued\r\n221 /s, '-bs dialogue') or diag($out);
$m = newest('pt81_rcpt', 5, qr/via bs/);
like($m, qr/^\.dot stuffed$/m, '-bs message delivered, dot unstuffed');

# 5. usage errors
($rc, $out) = submit("Subject: none\n\nx\n", $sm, '-C', $conf);
is($rc, 64, 'no recipients: EX_USAGE');
like($out, qr/no recipient addresses found/, 'no recipients: message');
($rc, $out) = submit("Subject: none\n\nx\n", $sm, '-C', $conf, '-t');
is($rc, 64, 'no recipients in the header: EX_USAGE');
($rc, $out) = submit("x\n", $sm, '-C', $conf, '-Z', 'pt81_rcpt');
is($rc, 64, 'unknown flag: EX_USAGE');
like($out, qr/unknown option: -Z/, 'unknown flag: message');
($rc, $out) = submit("x\n", $sm, '-C', $conf, '-oi', '-odb', '-oem', '-bm', '-q1h', 'pt81_rcpt');
is($rc, 0, 'ignored -o options accepted') or diag($out);

# 6. limits: a 100 KB header line (10000 recipients: below, while stopped)
my $long = 'X-Long: ' . ('a' x 110000);
($rc, $out) = submit("$long\nSubject: long\n\nx\n", $sm, '-C', $conf, '-i', 'pt81_rcpt');
is($rc, 65, '110 KB header line: EX_DATAERR');
like($out, qr/header_size_limit/, '110 KB header line: message');
$long = 'X-Long: ' . ('b' x 100000);
($rc, $out) = submit("$long\nSubject: long ok\n\nx\n", $sm, '-C', $conf, '-i', 'pt81_rcpt');
is($rc, 0, '100 KB header line within header_size_limit') or diag($out);
$m = newest('pt81_rcpt', 6, qr/long ok/);
ok(index($m, "\nX-Long: " . ("b" x 100000) . "\n") >= 0, "100 KB header delivered whole");

# 7. while stopped: submissions wait in maildrop/; a forged file goes to
# corrupt/
ok($t->stop, 'stopped');
($rc, $out) = submit("Subject: while stopped\n\nwaiting\n", $sm, '-C', $conf, '-i', 'pt81_rcpt');
is($rc, 0, 'accepted while stopped') or diag($out);
my @md = PosternTest::files_in("$t->{queue}/maildrop");
is(scalar @md, 1, 'one file in maildrop/');
# 10000 recipients in 100 To: headers: accepted into maildrop/ (removed
# again before start: nobody is to receive them)
my $to = join('', map { my $h = $_; 'To: ' . join(', ', map { "pt81_nobody${h}_$_\@elsewhere.example" } 1 .. 100) . "\n" } 1 .. 100);
($rc, $out) = submit("${to}Subject: many\n\nx\n", $sm, '-C', $conf, '-t', '-i');
is($rc, 0, '10000 recipients accepted') or diag($out);
my @md2 = grep { my $x = $_; !grep { $_ eq $x } @md } PosternTest::files_in("$t->{queue}/maildrop");
is(scalar @md2, 1, 'the 10000-recipient message is in maildrop/');
my $mdtext = PosternTest::slurp($md2[0]) // '';
is(scalar(() = $mdtext =~ /R\0\0\0.pt81_nobody/g), 10000, 'with 10000 RCPT records');
unlink @md2;
my $forged = '0000000100000ABCD';
open my $ff, '>', "$t->{queue}/maildrop/$forged" or die;
print $ff "V\0\0\0\x0fpostern-queue 1garbage";
close $ff;
chmod 0744, "$t->{queue}/maildrop/$forged";
ok($t->start, 'started again');
$m = newest('pt81_rcpt', 7, qr/while stopped/);
like($m, qr/waiting/, 'mail from while stopped delivered after start');
ok($t->wait_until(sub { -e "$t->{queue}/corrupt/$forged" }), 'forged maildrop file moved to corrupt/');
ok($t->wait_log(qr/$forged: corrupt queue file moved to corrupt/), 'corrupt file logged');
ok($t->wait_until(sub { PosternTest::files_in("$t->{queue}/maildrop") == 0 }), 'maildrop/ empty');

# 8. bsd-mailx
SKIP: {
	skip 'bsd-mailx not installed', 2 unless -x '/usr/bin/bsd-mailx';
	my $rcfile = "$t->{dir}/mailrc";
	open my $r, '>', $rcfile or die;
	print $r "set sendmail=$sm\n";
	close $r;
	chmod 0644, $rcfile;
	($rc, $out) = submit("hello from mailx\n", 'env', "MAILRC=$rcfile",
	    "MAIL_CONFIG=$conf", '/usr/bin/bsd-mailx', '-s', 'mailx subject',
	    'pt81_rcpt@mx.test.example');
	is($rc, 0, 'mail -s exits 0') or diag($out);
	$m = newest('pt81_rcpt', 8, qr/mailx subject/);
	like($m, qr/hello from mailx/, 'mail -s delivered through our sendmail');
}

# 9. mailq as an ordinary user
SKIP: {
	skip 'showq not built', 1 unless -x "$bin/showq";
	($rc, $out) = submit('', "$bin/mailq", '-C', $conf);
	is($rc, 0, 'mailq works for an ordinary user') or diag($out);
}
# 10. pickup: chrooted, mail_owner, seccomp; its filter kills a forbidden
# call
my $master = $t->master_pid;
my ($pp) = grep { (PosternTest::slurp("/proc/$_/comm") // '') =~ /^pickup$/ } split ' ', `pgrep -P $master`;
ok($pp, 'pickup runs');
if ($pp) {
	my $st = PosternTest::slurp("/proc/$pp/status") // '';
	like($st, qr/^Seccomp:\s+2$/m, 'pickup has a seccomp filter');
	like($st, qr/^Uid:\s+\d+\s+${\ scalar getpwnam('postern')}\s/m, 'pickup runs as mail_owner');
	is(readlink("/proc/$pp/root"), $t->{queue}, 'pickup is chrooted into the queue');
}
my $zpid = fork // die;
if ($zpid == 0) {
	open STDOUT, '>', '/dev/null'; open STDERR, '>', '/dev/null';
	{ exec { "$bin/pickup" } "$bin/pickup", "-c", $conf, "-n", "pickup", "-t", "unix", "-Z" }
	POSIX::_exit(127);
}
waitpid($zpid, 0);
ok(($? & 127) == 31, 'pickup -Z: forbidden call kills it with SIGSYS') or diag("status $?");
done_testing;
