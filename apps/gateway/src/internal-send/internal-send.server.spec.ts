import { UnrecoverableError, type Job } from 'bullmq';
import { Observable, of, throwError } from 'rxjs';
import type { MessageHandler } from '@nestjs/microservices';
import { InternalSendContext, InternalSendServer } from './internal-send.server';

const request = {
  idempotencyKey: 'order-4711',
  credentials: { apiKey: 'key' },
  mmsId: 35674,
  to: '16501234123',
  from: '60856',
  barcodeId: 'Ticket_4711',
};
const accepted = { status: 'accepted', trackingId: 'TU1TXzE=', mmsId: 35674, to: '16501234123' };

function jobOf(name: string, data: unknown): Job {
  return { id: 'send-order-4711', name, data, attemptsStarted: 1, timestamp: 0 } as unknown as Job;
}

/** A handler as Nest's RPC proxy hands it over: a promise of an observable. */
function handler(answer: () => Observable<unknown>): jest.Mock & MessageHandler {
  return jest.fn(async () => answer()) as unknown as jest.Mock & MessageHandler;
}

describe('InternalSendServer.handle', () => {
  let server: InternalSendServer;
  beforeEach(() => {
    server = new InternalSendServer({ redisUrl: 'redis://127.0.0.1:6379', prefix: 'unit', concurrency: 1 });
  });

  it('a send goes to the @MessagePattern handler with the checked request and the job as context', async () => {
    const onMessage = handler(() => of(accepted));
    server.addHandler('sendMMSBarcode', onMessage);
    const job = jobOf('sendMMSBarcode', { kind: 'send', request });
    await expect(server.handle(job)).resolves.toStrictEqual(accepted);
    const [data, context] = onMessage.mock.calls[0] as [unknown, InternalSendContext];
    expect(data).toStrictEqual(request);
    expect(context.getJob()).toBe(job);
  });

  it('an emit goes to the @EventPattern handler, or to the message handler when there is none', async () => {
    const onMessage = handler(() => of(accepted));
    const onEvent = handler(() => of({ ...accepted, trackingId: 'TU1TXzI=' }));
    server.addHandler('sendMMSBarcode', onMessage);
    await expect(server.handle(jobOf('sendMMSBarcode', { kind: 'emit', request }))).resolves.toStrictEqual(accepted);
    server.addHandler('sendMMSBarcode', onEvent, true);
    await expect(server.handle(jobOf('sendMMSBarcode', { kind: 'emit', request }))).resolves.toMatchObject({ trackingId: 'TU1TXzI=' });
    await expect(server.handle(jobOf('sendMMSBarcode', { kind: 'send', request }))).resolves.toStrictEqual(accepted);
  });

  it("a handler's error fails the attempt for a retry (Nest's filter shape made an Error again)", async () => {
    server.addHandler('sendMMSBarcode', handler(() => throwError(() => ({ status: 'error', message: 'Internal server error' }))));
    const failure = await server.handle(jobOf('sendMMSBarcode', { kind: 'send', request })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(UnrecoverableError);
    expect((failure as Error).message).toBe('Internal server error');
  });

  it('a payload that is no send, or a pattern without a handler, fails the job for good', async () => {
    server.addHandler('sendMMSBarcode', handler(() => of(accepted)));
    await expect(server.handle(jobOf('sendMMSBarcode', { kind: 'send', request: { ...request, mmsId: 'x' } }))).rejects.toThrow(UnrecoverableError);
    await expect(server.handle(jobOf('barcode.render', { kind: 'send', request }))).rejects.toThrow(UnrecoverableError);
    const bare = new InternalSendServer({ redisUrl: 'redis://127.0.0.1:6379', prefix: 'unit', concurrency: 1 });
    await expect(bare.handle(jobOf('sendMMSBarcode', { kind: 'send', request }))).rejects.toThrow(/no handler for send sendMMSBarcode/);
  });

  it('refuses to start without a handler for every pattern', () => {
    const started = jest.fn();
    server.listen(started);
    expect(started).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining('sendMMSBarcode') }));
  });
});
