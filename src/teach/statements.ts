/**
 * The teaching statements as the Session runs them: `explain packet N`, `explain flow N`. The
 * Session hands over the loaded capture and where to write; everything else lives here.
 */
import type { LoadedCapture } from '../store/load.ts';
import { QueryError, type Statement } from '../query/index.ts';
import { NoSuchPacket, packetDetail } from './packetDetail.ts';
import { flowStoryText, packetDetailText } from './text.ts';
import { flowStory, NoSuchFlow } from './flowStory.ts';

export type TeachStatement = Extract<Statement, { kind: 'explainFlow' | 'explainPacket' }>;

export const TEACH_STATEMENT_KINDS: ReadonlySet<string> = new Set<TeachStatement['kind']>(['explainFlow', 'explainPacket']);

export function isTeachStatement(statement: Statement): statement is TeachStatement {
  return TEACH_STATEMENT_KINDS.has(statement.kind);
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
  }
}
