import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { InternalSendPattern, SendBarcodeRequest, SendBarcodeResult } from '@mms/contracts';
import { SEND_CLIENT, SendClientModule, SendRefusedError } from '@mms/send-client';

/**
 * A tiny ticketing service: sends one ticket for the dev seed's demo account through the gateway's
 * internal send transport and prints the tracking id. `npm run example:send [idempotency key]`
 * with the fleet running (`npm start`); run it again with the printed key and the same send answers
 * with the same tracking id. See README.md beside this file.
 */
@Injectable()
class TicketSender {
  constructor(@Inject(SEND_CLIENT) private readonly client: ClientProxy) {}

  /** One ticket for one order line: the line is the idempotency key, so a retry never sends twice. */
  send(orderLine: string): Promise<SendBarcodeResult> {
    const request: SendBarcodeRequest = {
      idempotencyKey: orderLine,
      credentials: { apiKey: 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ' },
      mmsId: 35674,
      to: '16501234123',
      from: '60856',
      databaseId: 17856,
      barcodeId: `Ticket_${orderLine}`.slice(0, 64),
      customTexts: [{ slide: 1, value: 'Your ticket for tonight' }],
    };
    return firstValueFrom(this.client.send<SendBarcodeResult, SendBarcodeRequest>(InternalSendPattern.SendBarcode, request));
  }
}

@Module({
  // REDIS_URL, QUEUE_PREFIX (the gateway's), INTERNAL_SEND_TIMEOUT_MS: validated here, at boot.
  imports: [SendClientModule.fromEnv()],
  providers: [TicketSender],
})
class TicketingModule {}

async function main(): Promise<void> {
  const orderLine = process.argv[2] ?? `order-${randomUUID()}`;
  const app = await NestFactory.createApplicationContext(TicketingModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  try {
    console.log(`sending the demo ticket (idempotency key ${orderLine})...`);
    const result = await app.get(TicketSender).send(orderLine);
    console.log(`TRACKINGID ${result.trackingId} (MMSID ${result.mmsId}, TO ${result.to})`);
  } catch (error) {
    // A refusal carries the partner API's error code (E713 no credits, E241 no such MMSID...).
    console.error(error instanceof SendRefusedError ? `refused: ${error.errorCode} ${error.errorInfo}` : `not sent: ${String(error)}`);
    process.exitCode = 1;
  } finally {
    await app.close();
  }
}

void main();
