import { describeStoreContract } from './store-contract.js';
import { makeTarget, TARGET_NAMES } from './helpers/db.js';

for (const name of TARGET_NAMES) {
  describeStoreContract(name, async () => {
    const target = makeTarget(name);
    return { store: await target.open(), reopen: () => target.open(), dispose: () => target.dispose() };
  });
}
