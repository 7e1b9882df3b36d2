import { DynamicModule, Module } from '@nestjs/common';
import { ApiController, HealthController } from './api/api.controller';
import { Pauses } from './common/pauses';
import { SIMULATOR_CONFIG, SimulatorConfig } from './config/simulator.config';
import { InboxController } from './inbox/inbox.controller';
import { Mm7Controller } from './mm7/mm7.controller';
import { SubmitService } from './mm7/submit.service';
import { PostbackStore } from './postbacks/postback-store';
import { PostbacksController } from './postbacks/postbacks.controller';
import { PostbacksService } from './postbacks/postbacks.service';
import { DeliveryReporter } from './reports/delivery-reporter';
import { SimulatorSettings } from './settings/simulator-settings';
import { MessageStore } from './store/message-store';
import { SimulatorStats } from './store/simulator-stats';

@Module({})
export class SimulatorModule {
  static forRoot(config: SimulatorConfig): DynamicModule {
    return {
      module: SimulatorModule,
      controllers: [Mm7Controller, ApiController, InboxController, PostbacksController, HealthController],
      providers: [
        { provide: SIMULATOR_CONFIG, useValue: config },
        SimulatorSettings,
        MessageStore,
        SimulatorStats,
        DeliveryReporter,
        SubmitService,
        PostbackStore,
        PostbacksService,
        Pauses,
      ],
    };
  }
}
