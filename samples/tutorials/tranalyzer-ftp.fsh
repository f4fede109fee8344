## The Tranalyzer FTP tutorial, step by step in flowsh
## Tranalyzer's FTP tutorial runs t2 with the ftpDecode plugin over a capture, reads the end
## report, decodes ftpStat with tawk -V, looks at the flows and the packets with their payload,
## carves the transferred files, decodes tcpStatesAFlags and asks which flows its scan heuristic
## marked. Here are the same steps on a capture that ships with flowsh: a recorded vsftpd session
## with a second login (samples/recorded/recorded-session-multi.pcap). Run it from the project
## folder: the capture is loaded by its path from there, and carving writes a folder there.
#
# Format (samples/tutorials/README.md): '## ' lines are the commentary shown before the statement
# that follows them; the first block is the title and introduction. '#? QUERY' states a fact the
# commentary relies on (QUERY returns at least one row; '#?N QUERY' exactly N rows); the tests run
# every check at the point where it stands.

## Load the capture. In Tranalyzer this is t2 -r FILE -w OUT; flowsh keeps every flow, packet and
## FTP command in memory, so each question afterwards is one statement.
load samples/recorded/recorded-session-multi.pcap

## The end report: what Tranalyzer prints when it finishes. 314 packets in 12 connections
## (flowInd), two of them FTP control connections; 8 transfers; and one TCP scan "attempted,
## successful" by Tranalyzer's count. Keep that scan in mind for later.
report
#?1 flows where flowInd == 12 and dir == "A" and bitsanyset(tcpAnomaly, 0x2000)
#?4 flows where bitsanyset(ftpStat, 0x01)

## ftpStat holds the plugin's status bits. Without a value explain lists them all, like
## tawk -V ftpStat; bits 8 and above are flowsh's own (passive, active, login, ...).
explain ftpStat

## The control connections show 0x1109: FTP_INIT (port 21), FTP_APRNT (a data endpoint was
## learned, here from 227 replies), FTP_PASSIVE and FTP_LOGIN_OK. The data connections show
## 0x4102: FTP_PPRNT (linked to a control connection), FTP_PASSIVE and FTP_DATA_FIRST.
explain ftpStat=0x1109
#?4 flows where ftpStat == 0x1109
#?16 flows where ftpStat == 0x4102

## The flows table with the ftpDecode columns. ftpCDFindex links the two kinds: control flow 3
## lists its data flows 4 to 10, each data flow names 3; control flow 11 (the second login)
## has one data flow, 12. ftpCC are the client's commands, ftpRC the server's reply codes,
## ftpCP the names (user, paths, file names).
flows where ftpStat != 0 select flowInd, dir, srcIP, srcPort, dstIP, dstPort, ftpStat, ftpCDFindex, ftpCC, ftpRC, ftpUser, ftpCP
#?2 flows where flowInd == 12 and ftpCDFindex == 11
#?2 flows where flowInd == 7 and ftpCDFindex == 3
#?1 flows where flowInd == 3 and dir == "A" and ftpUser == "flowshftp"

## flowsh also keeps one row per command in the ftp table, with the reply that answered it
## and the data connection it used (Zeek's ftp.log):
ftp where controlFlow == 3 select time, user, command, arg, replyCode, dataFlow, mode

## The first packets that carry payload, with their content: the 220 banner, FEAT and its
## multi-line 211 reply, then USER. Payload is read back from the capture only when asked for,
## and control characters are escaped (\r\n).
packets where l7Len > 0 select pktNo, flowInd, dir, l7Len, l7Content limit 12
#?1 packets where pktNo == 6 and l7Content ~ /^220 /
#?1 packets where pktNo == 20 and l7Content ~ /^USER flowshftp/

## Carving: Tranalyzer writes the files with FTP_SAVE=1 into FTP_F_PATH. flowsh's carve writes
## each transfer as N-name (N the data flow), listings as N-listing-DIR.txt, with a manifest and
## the control transcripts; it never overwrites (run it twice and the second files are named
## "N-name (2)"). {name} is the capture's name, so this writes carved-recorded-session-multi/.
carve to carved-{name}
#?8 files where verdict == "complete"

## tcpStatesAFlags holds the tcpStates plugin's bits about the connection's life: malformed
## handshake, malformed teardown, packets after the end, resets, scan-like behaviour.
explain tcpStatesAFlags

## One connection has a bit set: data flow 7 (RETR flowsh-64k.bin) has MAL_TEARDWN, 0x02: one of
## its FINs was never acknowledged in the capture. The file itself arrived whole.
flows where tcpStatesAFlags != 0 select flowInd, dir, tcpStatesAFlags, ftpStat, numPktsSnt
#?2 flows where tcpStatesAFlags != 0
#?2 flows where flowInd == 7 and tcpStatesAFlags == 0x02
#?1 files where dataFlow == 7 and verdict == "complete"

## The scan from the report: Tranalyzer's tcpAnomaly 0x2000 (SCAN_SU_DET, a "successful scan")
## is set on data flow 12, the APPE upload of the second login. Its server side sent only 3
## packets, and Tranalyzer's end-of-flow heuristic calls such short directions scans.
flows where bitsanyset(tcpAnomaly, 0x2000) select flowInd, dir, srcPort, dstPort, numPktsSnt, tcpAnomaly, ftpStat, burstId
#?2 flows where bitsanyset(tcpAnomaly, 0x2000)
#?1 flows where flowInd == 12 and dir == "B" and numPktsSnt == 3 and bitsanyset(tcpAnomaly, 0x1000)

## explain flow says what the flow really is: an FTP data connection in passive mode, linked to
## control flow 11, one of a burst of connections that are FTP data connections, not a port scan.
explain flow 12
#?1 bursts where burstId == 1 and verdict == "ftp"

## Last, the packets of that one flow, as tcpdump prints them: handshake, 1250 bytes uploaded,
## FINs both ways.
packets where flowInd == 12 as tcpdump
#?8 packets where flowInd == 12
#?1 files where dataFlow == 12 and command == "APPE" and bytes == 1250

## That is the whole Tranalyzer FTP tutorial. More: help ftp, ladder flow 11, follow flow 3,
## and the second tutorial, tutorial ftp-walkthrough.
