#!/usr/bin/perl
# 12-master-successor.t - a daemon's successor starts with its last client
#
# Scenario: smtpd serves one connection each (max_use = 1). With one idle
# smtpd, a client connects: while its session (that process's last) is
# open, master has already started the next smtpd, so that the next
# client does not wait for one to start. The old process exits after the
# session and the next session is served.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use PosternTest;

my $t = PosternTest->new(main => { max_use => 1 });
ok($t->start, 'started') or BAIL_OUT('cannot start');
my $smtpd = PosternTest::bin('smtpd');

# smtpd processes of this instance (children of its master)
sub smtpds {
	my $master = $t->master_pid or return ();
	return grep { (readlink("/proc/$_/exe") // '') eq $smtpd }
	    split ' ', `pgrep -P $master`;
}

sub open_session {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $t->{port}, Proto => 'tcp', Timeout => 10) or die;
	my $banner = PosternTest::read_reply($s);
	return ($s, $banner);
}

sub close_session {
	my ($s) = @_;
	$s->syswrite("QUIT\r\n");
	PosternTest::read_reply($s);
	close $s;
}

ok($t->wait_until(sub { smtpds() == 1 }, 10), 'one idle smtpd');
my @first = smtpds();
my ($s1, $b1) = open_session();
like($b1, qr/^220 /, 'a session: the last of that process (max_use = 1)');
ok($t->wait_until(sub { smtpds() == 2 }, 10),
    'its successor started while it is served');
close_session($s1);
ok($t->wait_until(sub { !grep { $_ == $first[0] } smtpds() }, 10),
    'the old process exited after its session');
my ($s2, $b2) = open_session();
like($b2, qr/^220 /, 'the next session is served by the successor');
close_session($s2);
done_testing;
