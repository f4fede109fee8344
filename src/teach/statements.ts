/**
 * The teaching statements as the Session runs them: `explain packet N`, `explain flow N`,
 * `ladder flow N`, `ladder flows where EXPR`. The
 * Session hands over the loaded capture and where to write; everything else lives here.
 */
import type { LoadedCapture } from '../store/load.ts';
import { QueryError, type Statement } from '../query/index.ts';
import { NoSuchPacket, packetDetail } from './packetDetail.ts';
import { flowStoryText, packetDetailText } from './text.ts';
import { flowStory, NoSuchFlow } from './flowStory.ts';
import { buildLadder, ladderFlowsOf, ladderText } from './ladder.ts';
import { numberOf, storeView } from './storeView.ts';
import { compilePredicate } from '../query/compileExpr.ts';
import { guard } from '../query/lookup.ts';

export type TeachStatement = Extract<Statement, { kind: 'explainFlow' | 'explainPacket' | 'ladder' }>;

export const TEACH_STATEMENT_KINDS: ReadonlySet<string> = new Set<TeachStatement['kind']>(['explainFlow', 'explainPacket', 'ladder']);

export function isTeachStatement(statement: Statement): statement is TeachStatement {
  return TEACH_STATEMENT_KINDS.has(statement.kind);
}

/** the flows a ladder statement draws */
function ladderSelection(statement: Extract<TeachStatement, { kind: 'ladder' }>, capture: LoadedCapture): number[] {
  const view = storeView(capture);
  if (statement.flowInd !== undefined) {
    if (!view.hasFlow(statement.flowInd)) {
      throw QueryError.at(`there is no flow ${statement.flowInd} (flowInd runs from 1 to ${view.maxFlow})`, statement.text, statement.span);
    }
    return ladderFlowsOf(capture, statement.flowInd);
  }
  const flows = capture.flows;
  const test = statement.where ? guard(statement.text, () => compilePredicate(statement.where!, flows, statement.text)) : () => true;
  const ind = flows.column('flowInd')!;
  const chosen = new Set<number>();
  for (let r = 0; r < flows.rowCount; r++) if (test(r)) chosen.add(numberOf(ind.get(r)));
  return [...chosen].sort((a, b) => a - b);
}

export interface TeachContext {
  readonly capture: LoadedCapture;
  /** terminal width to lay text out in */
  readonly width: number;
  out(text: string): void;
}

export function runTeachStatement(statement: TeachStatement, ctx: TeachContext): void {
  const fail = (message: string): never => { throw QueryError.at(message, statement.text, statement.span); };
  switch (statement.kind) {
    case 'explainPacket': {
      try {
        ctx.out(packetDetailText(packetDetail(ctx.capture, statement.number), ctx.width));
      } catch (e) {
        if (e instanceof NoSuchPacket) fail(e.message);
        throw e;
      }
      return;
    }
    case 'explainFlow': {
      try {
        ctx.out(flowStoryText(flowStory(ctx.capture, statement.number), ctx.width));
      } catch (e) {
        if (e instanceof NoSuchFlow) fail(e.message);
        throw e;
      }
      return;
    }
    case 'ladder': {
      const flows = ladderSelection(statement, ctx.capture);
      if (flows.length === 0) fail(statement.where ? 'no flow matches the where clause' : 'the capture has no flows');
      const ladder = buildLadder(ctx.capture, flows, ctx.width);
      ctx.out(ladderText(ladder, ctx.width));
      return;
    }
  }
}
