import { CommandRejectedError } from 'kalshi-ws-pool';
import { describe, expect, it } from 'vitest';

describe('regression: server error text cannot forge log lines (#19)', () => {
  it('newlines, ANSI escapes and bidi overrides in Kalshi error text are replaced in the message', () => {
    const text = 'Bad\nINFO forged line\r\u001b[31mred\u001b[0m\u202eevil\u2028x';
    const error = new CommandRejectedError(8, 'caller', text, { command: 'subscribe', commandId: 3 });
    // eslint-disable-next-line no-control-regex
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    expect(error.message).toContain('Bad INFO forged line');
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('very long server text is cut', () => {
    const error = new CommandRejectedError(8, 'caller', 'x'.repeat(10_000));
    expect(error.message.length).toBeLessThan(400);
  });
});
