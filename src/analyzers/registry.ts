/** The analyzers every load runs, in order (later analyzers may read earlier ones' columns). */
import type { Analyzer, PostLoadAnalyzer } from './analyzer.ts';
import { BasicFlowAnalyzer } from './basicFlow/basicFlow.ts';
import { TcpFlagsAnalyzer } from './tcpFlags/tcpFlags.ts';
import { TcpStatesAnalyzer } from './tcpStates/tcpStates.ts';
import { TcpStreamAnalyzer } from './tcpStream/tcpStream.ts';
import { Tp0fAnalyzer } from './tp0f/tp0f.ts';
import { FtpAnalyzer } from './ftp/analyzer.ts';
import { DnsAnalyzer } from './dns/analyzer.ts';
import { ArpAnalyzer } from './arp/analyzer.ts';
import { BurstAnalyzer } from './burst/analyzer.ts';

export function createAnalyzers(expectedPackets: number): Analyzer[] {
  return [new BasicFlowAnalyzer(expectedPackets), new TcpFlagsAnalyzer(expectedPackets), new TcpStatesAnalyzer(expectedPackets), new TcpStreamAnalyzer(), new Tp0fAnalyzer()];
}

/** Analyzers that run once the per-packet pass is done, in order. */
export function createPostLoadAnalyzers(): PostLoadAnalyzer[] {
  // burst reads ftp's links
  return [new FtpAnalyzer(), new DnsAnalyzer(), new ArpAnalyzer(), new BurstAnalyzer()];
}
