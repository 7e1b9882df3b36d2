/** A MIME body that cannot be read as such (MM7: 2007 Message format corrupt). */
export class MimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MimeError';
  }
}
