import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { Queue } from 'bullmq';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { InternalSendPattern, QueueName, SendBarcodeRequest, SendBarcodeResult, internalSendJobId } from '@mms/contracts';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { redisOptionsFrom } from '@mms/queue';
import { InternalSendClient, InvalidSendError, SEND_CLIENT, SendClientModule, SendRefusedError, SendTimeoutError } from '@mms/send-client';
import { eventually, suitePrefix, uniquePhone } from '../../../test/fixtures';
import { InternalSendService, viaOf } from '../src/internal-send/internal-send.service';
import { GatewayHarness, startGateway } from './gateway-harness';

const DEMO_API_KEY = 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ';
const BROKE_API_KEY = 'zeroCreditsTestKey00000000000000';

/** A ticket of the demo account (the docs' example) to a number of its own, under a fresh key. */
function ticket(overrides: Partial<SendBarcodeRequest> = {}): SendBarcodeRequest {
  const key = randomBytes(6).toString('hex');
  return {
    idempotencyKey: `test-${key}`,
    credentials: { apiKey: DEMO_API_KEY },
    mmsId: 35674,
    to: uniquePhone(),
    from: '60856',
    databaseId: 17856,
    barcodeId: `Ticket_${key}`,
    ...overrides,
  };
}

/**
 * Internal sends end to end over the real transport: a Nest service's ClientProxy (libs/send-client)
 * puts them on the internal-send queue in Redis, the real gateway works them through the partner
 * API's accept use case into PostgreSQL.
 */
describe('internal sends: send client -> internal-send queue -> gateway accept (real Redis and PostgreSQL)', () => {
  const prefix = suitePrefix('internal-send');
  const redisUrl = process.env.REDIS_URL as string;
  const gatewayEnv = { QUEUE_PREFIX: prefix, OUTBOX_SWEEP_INTERVAL_MS: '600000', RECONCILE_INTERVAL_MS: '3600000' };
  let gateway: GatewayHarness | undefined;
  let service: INestApplicationContext;
  let client: InternalSendClient;
  let impatient: InternalSendClient;
  let prisma: PrismaClient;
  let sendQueue: Queue;
  let barcodeQueue: Queue;

  /** The messages an internal send's ACCEPTED event names. */
  const messagesOf = (request: SendBarcodeRequest) =>
    prisma.message.findMany({
      where: { events: { some: { status: 'ACCEPTED', detail: { path: ['via'], equals: viaOf(internalSendJobId(request.idempotencyKey)) } } } },
      include: { events: true },
    });

  beforeAll(async () => {
    gateway = await startGateway(gatewayEnv);
    // The other service: a Nest app with the client as ClientsModule provides it.
    service = await NestFactory.createApplicationContext(SendClientModule.register({ redisUrl, prefix, timeoutMs: 30_000 }), { logger: false });
    client = service.get<InternalSendClient>(SEND_CLIENT);
    impatient = new InternalSendClient({ redisUrl, prefix, timeoutMs: 500 });
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    sendQueue = new Queue(QueueName.InternalSend, { prefix, connection: redisOptionsFrom(redisUrl, 'producer') });
    barcodeQueue = new Queue(QueueName.Barcode, { prefix, connection: redisOptionsFrom(redisUrl, 'producer') });
  });

  afterAll(async () => {
    await service?.close();
    await impatient?.close();
    await gateway?.close();
    await sendQueue?.close();
    await barcodeQueue?.close();
    await prisma?.$disconnect();
  });

  it('send: the tracking id comes back; the message is in PostgreSQL, announced to the barcode queue', async () => {
    const request = ticket();
    const result = await firstValueFrom(client.send<SendBarcodeResult, SendBarcodeRequest>(InternalSendPattern.SendBarcode, request));
    expect(result).toStrictEqual({ trackingId: expect.stringMatching(/^TU1TX/), mmsId: 35674, to: request.to });

    const [message, ...others] = await messagesOf(request);
    expect(others).toHaveLength(0);
    expect(message).toMatchObject({
      trackingId: result.trackingId,
      templateId: 35674,
      databaseId: 17856,
      barcodeValue: request.barcodeId,
      toNumber: request.to,
      senderCode: '60856',
      status: 'ACCEPTED',
      requestId: internalSendJobId(request.idempotencyKey),
    });
    expect(message?.events.map((e) => e.status)).toEqual(['ACCEPTED']);
    await eventually(async () => (await barcodeQueue.getJob(result.trackingId))?.data, 5000, 'the barcode.render job');
  });

  it.each<[string, Partial<SendBarcodeRequest>, string]>([
    ['an account without credits', { credentials: { apiKey: BROKE_API_KEY }, mmsId: 35684, databaseId: 17858 }, 'E713'],
    ['an MMSID the account does not have', { mmsId: 99999 }, 'E241'],
    ['a wrong API key', { credentials: { apiKey: 'notAKeyOfAnyAccount0000000000000' } }, 'E104'],
    ['a FROM that is not the account code', { from: '99999' }, 'E111'],
  ])('send for %s: a typed refusal with the API error code, nothing recorded', async (_case, change, code) => {
    const request = ticket(change);
    const error = await firstValueFrom(client.sendBarcode(request)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SendRefusedError);
    expect(error).toBeInstanceOf(RpcException);
    expect((error as SendRefusedError).errorCode).toBe(code);
    expect((error as SendRefusedError).getError()).toStrictEqual({ errorCode: code, errorInfo: expect.any(String) });
    expect(await prisma.message.count({ where: { barcodeValue: request.barcodeId } })).toBe(0);
    // A refusal is a completed job (its outcome kept), never retried.
    const job = await sendQueue.getJob(internalSendJobId(request.idempotencyKey));
    expect(await job?.getState()).toBe('completed');
    expect(job?.attemptsStarted).toBe(1);
  });

  it('a request that is no send is refused by the client before anything is queued', async () => {
    const request = { ...ticket(), mmsId: '35674' } as unknown as SendBarcodeRequest;
    await expect(firstValueFrom(client.sendBarcode(request))).rejects.toThrow(InvalidSendError);
    await expect(firstValueFrom(client.send('sendMMS', ticket()))).rejects.toThrow(/unknown pattern/);
    expect(await sendQueue.getJob(internalSendJobId(request.idempotencyKey))).toBeUndefined();
  });

  it('emit: completes once queued; the gateway accepts it after', async () => {
    const request = ticket();
    await lastValueFrom(client.emit(InternalSendPattern.SendBarcode, request), { defaultValue: undefined });
    const [message] = await eventually(async () => {
      const found = await messagesOf(request);
      return found.length > 0 ? found : undefined;
    }, 10_000, 'the emitted send to be accepted');
    expect(message?.barcodeValue).toBe(request.barcodeId);
    const job = await sendQueue.getJob(internalSendJobId(request.idempotencyKey));
    expect(job?.returnvalue).toStrictEqual({ status: 'accepted', trackingId: message?.trackingId, mmsId: 35674, to: request.to });
  });

  it('a send made while the gateway is down is accepted once it is back, exactly once', async () => {
    await gateway?.close();
    gateway = undefined;

    const waiting = ticket();
    const outcome = firstValueFrom(client.sendBarcode(waiting));
    // A caller that gives up: its send stays queued and is still worked.
    const givenUp = ticket();
    await expect(firstValueFrom(impatient.sendBarcode(givenUp))).rejects.toThrow(SendTimeoutError);

    const job = await eventually(async () => sendQueue.getJob(internalSendJobId(waiting.idempotencyKey)), 5000, 'the queued send');
    expect(await job.getState()).toBe('waiting');
    expect(await messagesOf(waiting)).toHaveLength(0);

    gateway = await startGateway(gatewayEnv);
    const result = await outcome;
    const accepted = await messagesOf(waiting);
    expect(accepted.map((m) => m.trackingId)).toEqual([result.trackingId]);

    // Sending again under the same key is the same send: its kept outcome, no second message.
    expect(await firstValueFrom(client.sendBarcode(waiting))).toStrictEqual(result);
    const late = await firstValueFrom(client.sendBarcode(givenUp));
    expect((await messagesOf(givenUp)).map((m) => m.trackingId)).toEqual([late.trackingId]);
    expect(await messagesOf(waiting)).toHaveLength(1);
  });

  it('a retried job does not accept its ticket again (an earlier attempt committed, then its gateway died)', async () => {
    const sends = (gateway as GatewayHarness).app.get(InternalSendService);
    const request = ticket();
    const jobId = internalSendJobId(request.idempotencyKey);
    const first = await sends.send(request, { jobId, retried: false, queuedAt: Date.now() });
    expect(first.status).toBe('accepted');
    const retry = await sends.send(request, { jobId, retried: true, queuedAt: Date.now() });
    expect(retry).toStrictEqual(first);
    expect(await messagesOf(request)).toHaveLength(1);
    // Another job with the same ticket is another send.
    const other = await sends.send(request, { jobId: `${jobId}-other`, retried: true, queuedAt: Date.now() });
    expect(other.status === 'accepted' && other.trackingId).not.toBe(first.status === 'accepted' && first.trackingId);
  });
});
