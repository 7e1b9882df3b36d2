import { StoredMessage } from './stored-message';
import { MessageStore } from './message-store';

function message(store: MessageStore, overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id: store.nextId(),
    status: 'accepted',
    transactionId: null,
    parts: [],
    soapXml: null,
    ...overrides,
  } as StoredMessage;
}

describe('MessageStore', () => {
  it('keeps the newest messages up to its size, newest first', () => {
    const store = new MessageStore({ MMSC_SIM_MAX_MESSAGES: 2, MMSC_SIM_MAX_STORED_BYTES: 1024 * 1024 });
    for (let i = 0; i < 3; i += 1) store.add(message(store));
    expect(store.list().map((m) => m.id)).toEqual(['3', '2']);
    expect(store.get('1')).toBeUndefined();
  });

  it('drops the oldest when the bytes pass the budget, but keeps the newest', () => {
    const store = new MessageStore({ MMSC_SIM_MAX_MESSAGES: 10, MMSC_SIM_MAX_STORED_BYTES: 1000 });
    const part = (size: number) => [{ body: Buffer.alloc(size) }] as unknown as StoredMessage['parts'];
    store.add(message(store, { parts: part(600) }));
    store.add(message(store, { parts: part(600) }));
    expect(store.list().map((m) => m.id)).toEqual(['2']);
    store.add(message(store, { parts: part(5000) }));
    expect(store.list().map((m) => m.id)).toEqual(['3']);
  });

  it('remembers the first accepted message of each TransactionID, not refused ones; clear() forgets, ids go on', () => {
    const store = new MessageStore({ MMSC_SIM_MAX_MESSAGES: 10, MMSC_SIM_MAX_STORED_BYTES: 1024 * 1024 });
    store.add(message(store, { transactionId: 'tx', status: 'rejected' }));
    expect(store.acceptedWithTransaction('tx')).toBeUndefined();
    store.add(message(store, { transactionId: 'tx' }));
    store.add(message(store, { transactionId: 'tx' }));
    expect(store.acceptedWithTransaction('tx')).toBe('2');
    store.clear();
    expect(store.acceptedWithTransaction('tx')).toBeUndefined();
    expect(store.list()).toEqual([]);
    expect(store.nextId()).toBe('4');
  });
});
