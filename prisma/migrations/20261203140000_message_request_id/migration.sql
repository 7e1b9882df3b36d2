-- The id of the request that accepted a message, carried by its jobs, MM7 and postback calls and logs.
ALTER TABLE "messages" ADD COLUMN "request_id" TEXT;
