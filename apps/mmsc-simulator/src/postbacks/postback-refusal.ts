/** A postback request the receiver cannot take: answered with this status and the message as plain text. */
export class PostbackRefusal extends Error {
  constructor(
    readonly httpStatus: 400 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'PostbackRefusal';
  }
}
