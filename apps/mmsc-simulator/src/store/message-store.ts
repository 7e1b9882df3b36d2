import { Inject, Injectable } from '@nestjs/common';
import { SIMULATOR_CONFIG, SimulatorConfig } from '../config/simulator.config';
import { StoredMessage } from './stored-message';

/**
 * The inbox: the last MMSC_SIM_MAX_MESSAGES messages, in memory, oldest dropped first (also when
 * their bytes together pass MMSC_SIM_MAX_STORED_BYTES). Also remembers which TransactionIDs were
 * accepted, to flag a SubmitReq sent again as a repeat.
 */
@Injectable()
export class MessageStore {
  private readonly messages = new Map<string, StoredMessage>();
  /** TransactionID -> id of the first message accepted with it. */
  private readonly acceptedTransactions = new Map<string, string>();
  private bytes = 0;
  private sequence = 0;
  private readonly maxMessages: number;
  private readonly maxBytes: number;

  constructor(@Inject(SIMULATOR_CONFIG) config: Pick<SimulatorConfig, 'MMSC_SIM_MAX_MESSAGES' | 'MMSC_SIM_MAX_STORED_BYTES'>) {
    this.maxMessages = config.MMSC_SIM_MAX_MESSAGES;
    this.maxBytes = config.MMSC_SIM_MAX_STORED_BYTES;
  }

  /** Ids are never reused, not even after clear(): a stale page link cannot show another message. */
  nextId(): string {
    this.sequence += 1;
    return String(this.sequence);
  }

  /** The first accepted message with this TransactionID, if any. */
  acceptedWithTransaction(transactionId: string): string | undefined {
    return this.acceptedTransactions.get(transactionId);
  }

  add(message: StoredMessage): void {
    this.messages.set(message.id, message);
    this.bytes += sizeOf(message);
    if (message.status === 'accepted' && message.transactionId !== null && !this.acceptedTransactions.has(message.transactionId)) {
      this.acceptedTransactions.set(message.transactionId, message.id);
      // Bounded too: forget the oldest TransactionIDs well after their messages are gone.
      if (this.acceptedTransactions.size > this.maxMessages * 10) {
        const oldest = this.acceptedTransactions.keys().next().value as string;
        this.acceptedTransactions.delete(oldest);
      }
    }
    while (this.messages.size > this.maxMessages || (this.bytes > this.maxBytes && this.messages.size > 1)) {
      const oldest = this.messages.values().next().value as StoredMessage;
      this.messages.delete(oldest.id);
      this.bytes -= sizeOf(oldest);
    }
  }

  get(id: string): StoredMessage | undefined {
    return this.messages.get(id);
  }

  /** Newest first. */
  list(): StoredMessage[] {
    return [...this.messages.values()].reverse();
  }

  get size(): number {
    return this.messages.size;
  }

  clear(): void {
    this.messages.clear();
    this.acceptedTransactions.clear();
    this.bytes = 0;
  }
}

function sizeOf(message: StoredMessage): number {
  return message.parts.reduce((sum, p) => sum + p.body.length, 0) + (message.soapXml?.length ?? 0);
}
