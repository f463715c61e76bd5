import type { Device } from '../../protocol/devices.ts';
import type { Logger } from '../../protocol/logger.ts';
import type { ClientCommand } from '../../protocol/realtime.ts';
import type { Acting } from '../../rules/permissions.ts';
import { HubError, toProblem } from '../errors.ts';
import type { Admission } from '../http/admission.ts';
import type { DeviceCommand } from '../http/command.ts';
import { toHubError } from '../http/problems.ts';
import { parseInput } from '../http/validation.ts';

/** A command devices may send over their socket, and the field its result is answered in. */
export interface SocketCommand extends DeviceCommand {
  answerAs: string;
}

export type SocketCommands = Record<ClientCommand['type'], SocketCommand>;

export type StaffOnDuty = (session: string | undefined, device: Device) => Acting | null | HubError;

/**
 * Runs a command that arrived over /ws through the same admission, validation and error mapping
 * as its HTTP route, and answers with the status HTTP would have used, so devices handle both
 * transports alike.
 */
export async function runCommand(
  admission: Admission,
  commands: SocketCommands,
  by: { device: Device; onDuty: StaffOnDuty },
  message: ClientCommand,
  log: Logger,
): Promise<string> {
  const answer = (status: number, extra: Record<string, unknown>) =>
    JSON.stringify({ type: 'command.result', requestId: message.requestId, status, ...extra });
  const { device } = by;
  const command = commands[message.type];
  try {
    const refused = admission.authorize(device, command.roles, 'command');
    if (refused) throw refused;
    const staff = by.onDuty(message.staff, device);
    if (staff instanceof HubError) throw staff;
    const body = parseInput(command.body, message.body, 'body');
    const { status, value } = await command.run(body, { device, staff });
    return answer(status, { [command.answerAs]: value });
  } catch (err) {
    const error = toHubError(err);
    if (!(err instanceof HubError)) log.error({ deviceId: device.id, err }, 'socket command failed');
    return answer(error.status, { problem: toProblem(error, `/ws ${message.type}`) });
  }
}
