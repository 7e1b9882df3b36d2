import { DynamicModule, Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { InternalSendClient, SendClientOptions } from './send-client';
import { loadSendClientConfig } from './send-client.config';

/** The injection token of the client: `@Inject(SEND_CLIENT) client: InternalSendClient` (a ClientProxy). */
export const SEND_CLIENT = 'SEND_CLIENT';

/**
 * The client as Nest's ClientsModule provides any transport's client (custom class): closed on
 * application shutdown, whatever sends still wait then end with SendClientClosedError.
 */
@Module({})
export class SendClientModule {
  static register(options: SendClientOptions, name: string = SEND_CLIENT): DynamicModule {
    const clients = ClientsModule.register([{ name, customClass: InternalSendClient, options }]);
    return { module: SendClientModule, imports: [clients], exports: [clients] };
  }

  /** From REDIS_URL, QUEUE_PREFIX and INTERNAL_SEND_TIMEOUT_MS; a bad one stops the boot naming it. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return SendClientModule.register(loadSendClientConfig(env));
  }
}
