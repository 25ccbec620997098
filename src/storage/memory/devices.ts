/** Device authorizations in process memory: the reference DeviceStore (one caller at a time, so every method is atomic). */
import { nextId } from '../../core/ids.js';
import type { DeviceAuthorization, NewDeviceAuthorization, SignInContext } from '../../core/model.js';
import type { DeviceStore } from '../../core/ports.js';

export class MemoryDeviceStore implements DeviceStore {
  private readonly devices = new Map<number, DeviceAuthorization>();
  private readonly byUserCode = new Map<string, number>();

  async saveDevice(device: NewDeviceAuthorization) {
    if (this.byUserCode.has(device.userCodeHash)) return undefined;
    const id = nextId(device.createdAt);
    this.devices.set(id, { ...structuredClone(device), id, status: 'pending', uid: null, lastPollAt: null, consumedAt: null, signIn: null });
    this.byUserCode.set(device.userCodeHash, id);
    return id;
  }

  async findDevice(id: number) {
    const device = this.devices.get(id);
    return device && structuredClone(device);
  }

  async findDeviceByUserCode(userCodeHash: string) {
    const id = this.byUserCode.get(userCodeHash);
    return id === undefined ? undefined : this.findDevice(id);
  }

  async decideDevice(id: number, decision: 'approved' | 'denied', uid: string, now: number, signIn: SignInContext | null = null) {
    const device = this.devices.get(id);
    if (!device || device.status !== 'pending' || device.consumedAt !== null || device.expiresAt <= now) return false;
    device.status = decision;
    device.uid = uid;
    device.signIn = signIn === null ? null : { ...signIn };
    return true;
  }

  async recordPoll(id: number, now: number, slowDownSeconds: number) {
    const device = this.devices.get(id);
    if (!device) return { passed: false as const, interval: 0 };
    const passed = device.lastPollAt === null || device.lastPollAt + device.interval * 1000 <= now;
    device.lastPollAt = now;
    if (passed) return { passed: true as const };
    device.interval += slowDownSeconds;
    return { passed: false as const, interval: device.interval };
  }

  async consumeDevice(id: number, now: number) {
    const device = this.devices.get(id);
    if (!device || device.status !== 'approved' || device.consumedAt !== null) return false;
    device.consumedAt = now;
    return true;
  }

  async deleteExpired(now: number, limit: number) {
    let deleted = 0;
    for (const [id, device] of this.devices) {
      if (deleted >= limit) break;
      if (device.expiresAt > now) continue;
      this.devices.delete(id);
      this.byUserCode.delete(device.userCodeHash);
      deleted += 1;
    }
    return deleted;
  }
}
