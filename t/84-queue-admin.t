#!/usr/bin/perl
# 84-queue-admin.t - postern queue list/--json/cat/hold/release/delete/flush
#
# Scenario: backoff times of an hour, so that only an administrator's
# command makes deferred mail move. Three messages are deferred: to
# pt84_dave and pt84_erin, whose Maildirs are unwritable (a file where
# new/ should be), and to a remote domain through relayhost
# [127.0.0.1]:9 (refused, or no smtp transport: deferred either way).
# Then: the mailq listing (headings, entries, delay reasons, summary),
# the JSON listing parsed by Python's json module, cat in postcat's
# layout, hold (the "!" mark, hold/), release (delivered into the
# repaired Maildir at once), delete (gone, defer log gone, "removed"
# logged), flush (erin's repaired Maildir gets her message), and the
# listing as an ordinary user through postdrop -s and showq when both are
# built. Then hold and delete of a message while qmgr delivers it: one
# local delivery at a time (default_destination_concurrency_limit = 1),
# two recipients that are aliases for a command that sleeps 3 s and
# appends the message to a file; the command for the first is running
# when postern asks qmgr: postern waits, the first recipient is delivered
# exactly once, the second not at all; after release (hold) it gets its
# copy and the first no second one; after delete nothing more arrives and
# the file and its defer log are gone.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;
use File::Path qw(remove_tree make_path);
use POSIX ();

plan skip_all => 'needs root (privilege-separated instance)' if $> != 0;

my $t = PosternTest->new(main => { minimal_backoff_time => '3600s',
    maximal_backoff_time => '3600s', queue_run_delay => '3600s',
    relayhost => '[127.0.0.1]:9', default_destination_concurrency_limit => 1,
    local_recipient_maps => '' });

# slow deliveries: aliases for a command that takes 3 s
my $out_dir = "$t->{dir}/out";
mkdir $out_dir;
chmod 01777, $out_dir;
open my $al, '>', "$t->{dir}/aliases" or die;
print $al "pt84slow$_ \"|sleep 3; cat >> $out_dir/$_\"\n" for qw(a b c d);
close $al;
chmod 0644, "$t->{dir}/aliases";
open my $mcf, '>>', "$t->{conf}/main.cf" or die;
print $mcf "alias_maps = texthash:$t->{dir}/aliases\n";
close $mcf;

sub break_maildir {
	my ($home) = @_;
	remove_tree("$home/Maildir/new");
	open my $f, '>', "$home/Maildir/new" or die;
	close $f;
}

sub fix_maildir {
	my ($home, $user) = @_;
	unlink "$home/Maildir/new";
	make_path("$home/Maildir/new");
	system('chown', '-R', "$user:", "$home/Maildir");
}

# a Maildir left broken by an earlier run
unlink "$PosternTest::HOMES/$_/Maildir/new" for qw(pt84_dave pt84_erin);
my $dave = $t->user('pt84_dave');
my $erin = $t->user('pt84_erin');
break_maildir($_) for $dave, $erin;
ok($t->start, 'started') or BAIL_OUT('cannot start');

sub send_one {
	my ($rcpt, $subject) = @_;
	my $out = $t->smtp("EHLO x\r\nMAIL FROM:<sender\@client.example>\r\n"
	    . "RCPT TO:<$rcpt>\r\nDATA\r\nSubject: $subject\r\n\r\n"
	    . "body of $subject\r\n.\r\nQUIT\r\n");
	my ($id) = $out =~ /queued as ([0-9A-F]+)/;
	return $id;
}

my $id1 = send_one('pt84_dave@localhost', 'for dave');
my $id2 = send_one('someone@remote.example', 'for remote');
my $id3 = send_one('pt84_erin@localhost', 'for erin');
ok($id1 && $id2 && $id3, 'three messages queued');
for my $id ($id1, $id2, $id3) {
	ok($t->wait_until(sub { -e "$t->{queue}/deferred/$id"
	    && -s "$t->{queue}/defer/$id" }, 20), "$id deferred");
}

# the mailq format
my ($rc, $out) = $t->postern('queue', 'list');
is($rc, 0, 'queue list exits 0');
my @lines = split /\n/, $out;
is($lines[0], '-Queue ID-  --Size-- ----Arrival Time---- '
    . '-Sender/Recipient-------', 'mailq headings');
like($out, qr/^$id1 +\d+ [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d  sender\@client\.example$/m,
    'entry line: id, size, arrival time, sender');
like($out, qr/^ *\(4\.\d\.\d [^\n]*\)\n {41}pt84_dave\@localhost$/m,
    'delay reason above the indented recipient');
like($out, qr/^ {41}someone\@remote\.example$/m, 'remote recipient listed');
like($out, qr/\n\n-- \d+ Kbytes in 3 Requests\.\n\z/, 'summary line');
like($out, qr/\n\n$id2 /, 'blank line between entries');

# JSON, checked by a real JSON parser
($rc, $out) = $t->postern('queue', 'list', '--json');
is($rc, 0, 'queue list --json exits 0');
my $json_file = "$t->{dir}/queue.json";
open my $jf, '>', $json_file or die;
print $jf $out;
close $jf;
my $py = qx{python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert set(o) == {"queue_name", "queue_id", "arrival_time",
        "message_size", "forced_expire", "sender", "recipients"}, o
    assert isinstance(o["arrival_time"], int) and o["arrival_time"] > 0
    assert o["forced_expire"] is False
    for r in o["recipients"]:
        print(o["queue_name"], o["queue_id"], o["sender"], r["address"],
              "reason" if r.get("delay_reason", "").startswith("4.")
              else "none")
' $json_file 2>&1};
is($?, 0, 'every JSON line parses') or diag($py);
like($py, qr/^deferred $id1 sender\@client\.example pt84_dave\@localhost reason$/m,
    'JSON: queue, id, sender, recipient and delay reason');
like($py, qr/^deferred $id2 \S+ someone\@remote\.example reason$/m,
    'JSON: remote recipient deferred with a reason');

# cat, in postcat's layout
($rc, $out) = $t->postern('queue', 'cat', $id1);
is($rc, 0, 'queue cat exits 0');
like($out, qr/\A\*\*\* ENVELOPE RECORDS deferred\/$id1 \*\*\*\n/, 'envelope heading');
like($out, qr/^message_arrival_time: \w{3} \w{3} /m, 'arrival time');
like($out, qr/^sender: sender\@client\.example$/m, 'sender record');
like($out, qr/^recipient: pt84_dave\@localhost$/m, 'recipient record');
like($out, qr/^\*\*\* MESSAGE CONTENTS deferred\/$id1 \*\*\*\n.*^Subject: for dave\n.*^body of for dave\n/ms,
    'message contents');
like($out, qr/^\*\*\* HEADER EXTRACTED deferred\/$id1 \*\*\*\n\*\*\* MESSAGE FILE END deferred\/$id1 \*\*\*\n\z/m,
    'trailer sections');
($rc, $out) = $t->postern('queue', 'cat', '0123456789ABCDEF0');
isnt($rc, 0, 'cat of an unknown id fails');
like($out, qr/no such message/, 'and says so');

# hold, then release into a repaired Maildir
($rc, $out) = $t->postern('queue', 'hold', $id1);
is($rc, 0, 'hold exits 0');
ok(-e "$t->{queue}/hold/$id1" && !-e "$t->{queue}/deferred/$id1",
    'held message is in hold/');
ok($t->wait_log(qr/\Q$id1\E: placed on hold/), 'hold logged');
($rc, $out) = $t->postern('queue', 'list');
like($out, qr/^$id1! /m, 'held message marked "!"');
fix_maildir($dave, 'pt84_dave');
($rc, $out) = $t->postern('queue', 'release', $id1);
is($rc, 0, 'release exits 0');
my @got = $t->wait_files($t->maildir_new('pt84_dave'), 1, 20);
is(scalar @got, 1, 'released message delivered at once');
ok($t->wait_until(sub { !-e "$t->{queue}/hold/$id1"
    && !grep { m{/\Q$id1\E$} } $t->queue_files }, 10), 'and gone from the queue');
($rc, $out) = $t->postern('queue', 'release', $id1);
isnt($rc, 0, 'releasing a message not on hold fails');

# delete
($rc, $out) = $t->postern('queue', 'delete', $id2);
is($rc, 0, 'delete exits 0');
ok(!-e "$t->{queue}/deferred/$id2" && !-e "$t->{queue}/defer/$id2",
    'deleted message and its defer log are gone');
ok($t->wait_log(qr/\Q$id2\E: removed/), '"ID: removed" logged');
($rc, $out) = $t->postern('queue', 'delete', 'not-an-id');
isnt($rc, 0, 'a bad queue id is refused');

# flush: erin's repaired Maildir receives her deferred message now
fix_maildir($erin, 'pt84_erin');
($rc, $out) = $t->postern('queue', 'flush');
is($rc, 0, 'flush exits 0');
@got = $t->wait_files($t->maildir_new('pt84_erin'), 1, 20);
is(scalar @got, 1, 'flushed message delivered');
ok($t->wait_until(sub { !$t->queue_files }, 10), 'queue empty');
($rc, $out) = $t->postern('queue', 'list');
is($out, "Mail queue is empty\n", 'empty queue listing');

# hold ALL / delete ALL on a fresh deferred message
break_maildir($dave);
my $id4 = send_one('pt84_dave@localhost', 'to be deleted');
ok($t->wait_until(sub { -e "$t->{queue}/deferred/$id4" }, 20), 'deferred again');
($rc, $out) = $t->postern('queue', 'hold', 'ALL');
ok($rc == 0 && -e "$t->{queue}/hold/$id4", 'hold ALL');
($rc, $out) = $t->postern('queue', 'delete', 'ALL');
ok($rc == 0 && !$t->queue_files, 'delete ALL empties the queue');

# hold and delete while a delivery is in flight
sub send_two {
	my ($r1, $r2, $subject) = @_;
	my $o = $t->smtp("EHLO x\r\nMAIL FROM:<sender\@client.example>\r\n"
	    . "RCPT TO:<$r1>\r\nRCPT TO:<$r2>\r\nDATA\r\n"
	    . "Subject: $subject\r\n\r\nbody\r\n.\r\nQUIT\r\n");
	my ($id) = $o =~ /queued as ([0-9A-F]+)/;
	return $id;
}
sub copies {
	my ($name, $subject) = @_;
	my $text = PosternTest::slurp("$out_dir/$name") // '';
	my @n = $text =~ /^Subject: \Q$subject\E$/mg;
	return scalar @n;
}
sub in_flight {
	my ($id) = @_;
	# activated, and the first command started (it sleeps 3 s)
	my $ok = $t->wait_log(qr/\Q$id\E: from=<[^\n]*\(queue active\)/)
	    && -e "$t->{queue}/active/$id";
	select(undef, undef, undef, 0.5);
	return $ok;
}

my $id6 = send_two('pt84slowa@localhost', 'pt84slowb@localhost', 'slow hold');
ok($id6 && in_flight($id6), 'slow message active, first delivery running');
($rc, $out) = $t->postern('queue', 'hold', $id6);
is($rc, 0, 'hold of an active message exits 0') or diag($out);
like($out, qr/\Q$id6\E: placed on hold/, 'postern reports it held');
ok(-e "$t->{queue}/hold/$id6" && !-e "$t->{queue}/active/$id6",
    'the message moved from active/ to hold/');
like($t->log_text, qr/qmgr\[\d+\]: \Q$id6\E: hold requested, 1 delivery in flight/,
    'qmgr logged the request with the delivery in flight');
ok($t->wait_log(qr/qmgr\[\d+\]: \Q$id6\E: placed on hold/), 'qmgr logged the hold');
is(copies('a', 'slow hold'), 1, 'the delivery in flight completed');
ok(!-e "$out_dir/b", 'no new delivery started');
($rc, $out) = $t->postern('queue', 'release', $id6);
is($rc, 0, 'release');
ok($t->wait_until(sub { copies('b', 'slow hold') == 1
    && !grep { m{/\Q$id6\E$} } $t->queue_files }, 20),
    'released: the second recipient gets its copy');
is(copies('a', 'slow hold'), 1, 'the first recipient is not delivered twice');

my $id7 = send_two('pt84slowc@localhost', 'pt84slowd@localhost', 'slow delete');
ok($id7 && in_flight($id7), 'second slow message active');
($rc, $out) = $t->postern('queue', 'delete', $id7);
is($rc, 0, 'delete of an active message exits 0') or diag($out);
like($out, qr/\Q$id7\E: removed/, 'postern reports it removed');
ok(!grep({ m{/\Q$id7\E$} } $t->queue_files) && !-e "$t->{queue}/defer/$id7",
    'file and defer log gone');
ok($t->wait_log(qr/qmgr\[\d+\]: \Q$id7\E: removed/), 'qmgr logged "removed"');
is(copies('c', 'slow delete'), 1, 'the delivery in flight completed once');
select(undef, undef, undef, 1);
ok(!-e "$out_dir/d", 'the other recipient never got it');

# an ordinary user: the listing comes from showq through postdrop -s
SKIP: {
	skip 'showq or postdrop not built', 3
	    unless -x PosternTest::bin('showq') && -x PosternTest::bin('postdrop');
	my $id5 = send_one('pt84_dave@localhost', 'seen by a user');
	ok($t->wait_until(sub { -e "$t->{queue}/deferred/$id5" }, 20),
	    'a deferred message');
	# the installed postdrop is setgid postdrop; the built one is made so
	my $pd = PosternTest::bin('postdrop');
	system('chgrp', 'postdrop', $pd) == 0 && chmod(02755, $pd)
	    or die "cannot make $pd setgid postdrop";
	my ($urc, $uout) = PosternTest::run_cmd({ run_as => 'nobody' },
	    PosternTest::bin('postern'), '-c', $t->{conf}, 'queue', 'list');
	# LeakSanitizer cannot run in a setgid process (it cannot read
	# /proc/self/environ for ASAN_OPTIONS, nor ptrace itself): in
	# sanitizer builds it aborts at exit, after the listing is written
	my $lsan = $uout =~ s/^==\d+==(?:LeakSanitizer|HINT)[^\n]*\n//mg;
	ok($urc == 0 || $lsan, 'queue list as nobody exits 0') or diag($uout);
	like($uout, qr/^$id5 .*\n.*\n {41}pt84_dave\@localhost$/m,
	    'nobody sees the listing through showq');
}

# showq's seccomp filter is in force: a forbidden call kills it
SKIP: {
	skip 'showq not built', 1 unless -x PosternTest::bin('showq');
	my $pid = fork // die;
	if ($pid == 0) {
		open STDOUT, '>', '/dev/null';
		open STDERR, '>', '/dev/null';
		my $bin = PosternTest::bin('showq');
		exec { $bin } $bin, '-c', $t->{conf}, '-n', 'showq', '-t',
		    'unix', '-Z' or POSIX::_exit(127);
	}
	waitpid($pid, 0);
	my $st = $?;
	ok(($st & 127) == 31, 'showq -Z: forbidden call kills it with SIGSYS')
	    or diag("status $st");
}

fix_maildir($dave, 'pt84_dave');
done_testing;
