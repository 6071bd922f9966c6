import { describeOutboxStoreContract } from '../../../contract/outbox-store.js';
import { createMemoryOutboxStore } from '../../../../hosts/node/outbox-store-memory.js';

// The same instance handed to a "rebooted" node is the memory store's persistence.
describeOutboxStoreContract('memory', () => createMemoryOutboxStore(), (store) => store);
