/**
 * Raw key input for the shell. Ink's useInput names keys too coarsely for a line editor (Backspace
 * and Delete are one key to it, a fast burst of typing arrives as one string), so this takes Ink's
 * raw input events and splits them with a KeyReader (which also gathers bracketed pastes).
 */
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { KeyReader, type KeyEvent } from '../keys.ts';

export function useKeys(handler: (key: KeyEvent) => void): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => { setRawMode(false); };
  }, [isRawModeSupported, setRawMode]);
  useEffect(() => {
    const reader = new KeyReader();
    const onInput = (raw: string): void => {
      for (const key of reader.read(raw)) current.current(key);
    };
    events.on('input', onInput);
    return () => { events.off('input', onInput); };
  }, [events]);
}
