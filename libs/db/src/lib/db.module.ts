import { DynamicModule, Module } from '@nestjs/common';
import { PrismaService } from './prisma.service';

export interface DbModuleOptions {
  readonly databaseUrl: string;
  readonly poolSize?: number;
}

@Module({})
export class DbModule {
  static forRoot(options: DbModuleOptions): DynamicModule {
    return {
      module: DbModule,
      global: true,
      providers: [{ provide: PrismaService, useFactory: () => new PrismaService(options.databaseUrl, options.poolSize) }],
      exports: [PrismaService],
    };
  }
}
