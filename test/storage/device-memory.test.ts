import { MemoryDeviceStore } from '../../src/storage/memory/devices.js';
import { deviceStoreContract } from './device-contract.js';

deviceStoreContract('memory', async () => ({ devices: new MemoryDeviceStore(), close: async () => {} }));
