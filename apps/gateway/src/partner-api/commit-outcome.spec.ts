import { DatabaseError } from 'pg';
import { commitOutcomeUnknown } from './accept-committer';

/** Which failed commits may have committed anyway (and so are withdrawn later). */
describe('commitOutcomeUnknown', () => {
  const withCode = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });
  const fromServer = (message: string, sqlState: string) => Object.assign(new DatabaseError(message, 0, 'error'), { code: sqlState });

  it.each([
    ['a connection reset while reading the answer', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a connection that ended mid-statement', withCode('Connection terminated unexpectedly')],
    ['a broken pipe while sending', withCode('write EPIPE', 'EPIPE')],
    ['a driver error without a code', new Error('Server has closed the connection')],
  ])('is unknown after %s', (_case, error) => {
    expect(commitOutcomeUnknown(error)).toBe(true);
  });

  it.each([
    ['an SQL error (the server answered: rolled back)', fromServer('deadlock detected', '40P01')],
    ['a statement timeout (cancelled: rolled back)', fromServer('canceling statement due to statement timeout', '57014')],
    ['a refused connection (nothing was sent)', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['a pool already ended (shutting down)', new Error('Cannot use a pool after calling end on the pool')],
  ])('is known after %s', (_case, error) => {
    expect(commitOutcomeUnknown(error)).toBe(false);
  });
});
