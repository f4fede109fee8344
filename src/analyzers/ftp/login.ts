/**
 * Which reply answers which command, and whether each login attempt succeeded. FTP is strictly
 * request/response (RFC 959 §4.2): replies answer commands in order, 1xx replies are preliminary
 * and are followed by the final one, so pipelined commands pair up through a queue.
 */

/** The part of a command the pairing needs (FtpCommand fits). */
export interface ExchangeCommand {
  readonly kind: 'command';
  readonly verb: string;
  readonly arg: string;
}

/** The part of a reply the pairing needs (FtpReply fits). */
export interface ExchangeReply {
  readonly kind: 'reply';
  readonly code: number | null;
}

/** Anything else in the sequence (e.g. a loss) is skipped. */
export type ExchangeItem = ExchangeCommand | ExchangeReply | { readonly kind: string };

export interface CommandExchange {
  /** index of the command in the input */
  readonly command: number;
  /** indexes of its 1xx replies */
  readonly preliminary: number[];
  /** index of its final reply (2xx..6xx, or a malformed one); undefined if none arrived */
  final: number | undefined;
}

export interface Pairing {
  readonly exchanges: CommandExchange[];
  /** replies that answer no command: the greeting (220, 120), a 421 before any command, surplus replies */
  readonly unsolicited: number[];
}

function isCommand(item: ExchangeItem): item is ExchangeCommand {
  return item.kind === 'command';
}

function isReply(item: ExchangeItem): item is ExchangeReply {
  return item.kind === 'reply';
}

/**
 * Pairs replies with commands. `items` is the merged sequence of both directions in time order.
 * The first reply is the greeting when it is 120/220/421 (RFC 959 §5.4), whatever the client sent
 * already. A malformed reply (code null) counts as a final reply: servers send them in place of one.
 */
export function pairReplies(items: readonly ExchangeItem[]): Pairing {
  const exchanges: CommandExchange[] = [];
  const unsolicited: number[] = [];
  let head = 0; // first exchange still waiting for its final reply
  let greeted = false;
  items.forEach((item, index) => {
    if (isCommand(item)) {
      exchanges.push({ command: index, preliminary: [], final: undefined });
    } else if (isReply(item)) {
      const waiting = exchanges[head];
      // the server speaks first (120 then 220, or 220, or 421), even if a client already sent commands
      if (!greeted && (item.code === 120 || item.code === 220 || item.code === 421) &&
        (waiting === undefined || (items[waiting.command] as ExchangeCommand).verb.toUpperCase() !== 'REIN')) {
        greeted = item.code !== 120;
        unsolicited.push(index);
        return;
      }
      greeted = true;
      if (waiting === undefined) { unsolicited.push(index); return; }
      if (item.code !== null && item.code >= 100 && item.code < 200) waiting.preliminary.push(index);
      else { waiting.final = index; head++; }
    }
  });
  return { exchanges, unsolicited };
}

export type LoginOutcome = 'succeeded' | 'failed' | 'unknown';

export interface LoginAttempt {
  /** the USER argument in full; undefined for a PASS sent without a USER first */
  readonly user: string | undefined;
  /** the PASS argument in full, if one was sent */
  password: string | undefined;
  /** the ACCT argument, if one was sent */
  account: string | undefined;
  outcome: LoginOutcome;
  /** the reply code that decided the outcome */
  code: number | undefined;
  /** index of the USER (or first PASS) command in the input */
  readonly start: number;
  /** index of the reply that decided the outcome */
  decidedBy: number | undefined;
}

function isSuccess(code: number): boolean {
  // 230 logged in, 232 logged in via security exchange (RFC 2228), 202 "superfluous" to PASS/ACCT
  return code === 230 || code === 232 || code === 202;
}

/**
 * One entry per USER attempt: succeeded (230 after USER, PASS or ACCT), failed (530 or any 4xx/5xx
 * to USER, PASS or ACCT) or unknown (no deciding reply in the capture, e.g. after AUTH TLS).
 */
export function loginAttempts(items: readonly ExchangeItem[]): LoginAttempt[] {
  const { exchanges } = pairReplies(items);
  const attempts: LoginAttempt[] = [];
  for (const exchange of exchanges) {
    const command = items[exchange.command] as ExchangeCommand;
    const verb = command.verb.toUpperCase();
    if (verb !== 'USER' && verb !== 'PASS' && verb !== 'ACCT') continue;
    let attempt = attempts[attempts.length - 1];
    if (verb === 'USER') {
      attempt = { user: command.arg, password: undefined, account: undefined, outcome: 'unknown', code: undefined, start: exchange.command, decidedBy: undefined };
      attempts.push(attempt);
    } else if (attempt === undefined || (verb === 'PASS' ? attempt.password !== undefined : attempt.account !== undefined)) {
      // PASS/ACCT with no USER before it (or a second one): its own attempt, user unknown
      attempt = { user: undefined, password: undefined, account: undefined, outcome: 'unknown', code: undefined, start: exchange.command, decidedBy: undefined };
      attempts.push(attempt);
    }
    if (verb === 'PASS') attempt.password = command.arg;
    if (verb === 'ACCT') attempt.account = command.arg;
    // a PASS after USER was already answered 230 or 530 belongs to it but cannot change the outcome
    if (exchange.final === undefined || attempt.decidedBy !== undefined) continue;
    const code = (items[exchange.final] as ExchangeReply).code;
    if (code === null) continue;
    if (isSuccess(code)) decide(attempt, 'succeeded', code, exchange.final);
    else if (code >= 400 && code < 600) decide(attempt, 'failed', code, exchange.final);
    // 331/332/334/336: the login goes on with the next PASS/ACCT/ADAT; 6xx (RFC 2228) wrap a protected reply we cannot read
  }
  return attempts;
}

function decide(attempt: LoginAttempt, outcome: LoginOutcome, code: number, index: number): void {
  attempt.outcome = outcome;
  attempt.code = code;
  attempt.decidedBy = index;
}
