using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Payments;
using Microsoft.Data.Sqlite;

namespace LivepeerAspire.Protocol.Ledger;

/// <summary>
/// The embedded ledger: one SQLite file shared by every process of a network (WAL journal, busy timeout, every write in
/// one IMMEDIATE transaction). Blocks advance with time from a genesis instant stored in the file; block and round
/// hashes are keccak256 of a per-chain seed and the block number. Every amount is an exact integer of wei stored as text.
/// </summary>
public sealed class SqliteLedger : ILedger
{
    private readonly string connectionString;
    private readonly TimeProvider time;
    private readonly ISecp256k1 crypto;
    private readonly Chain chain;

    private SqliteLedger(string connectionString, TimeProvider time, ISecp256k1 crypto, Chain chain)
    {
        this.connectionString = connectionString;
        this.time = time;
        this.crypto = crypto;
        this.chain = chain;
    }

    /// <summary>The chain's parameters as stored in the file (they may differ from the options of a later process).</summary>
    public LedgerOptions Parameters => new()
    {
        BlockTime = TimeSpan.FromTicks(chain.BlockTimeTicks),
        RoundLength = chain.RoundLength,
        InitialBlock = chain.InitialBlock,
        UnlockPeriod = chain.UnlockPeriod,
        TicketValidityPeriod = chain.TicketValidityPeriod,
    };

    /// <summary>Opens the ledger file named by <paramref name="connectionString"/> (e.g. <c>Data Source=/path/ledger.db</c>), creating it if needed.</summary>
    public static SqliteLedger Open(string connectionString, LedgerOptions? options = null, TimeProvider? time = null, ISecp256k1? crypto = null)
    {
        options ??= new LedgerOptions();
        time ??= TimeProvider.System;
        if (options.BlockTime <= TimeSpan.Zero || options.RoundLength <= 0 || options.UnlockPeriod < 0 || options.TicketValidityPeriod <= 0 || options.InitialBlock < 0)
        {
            throw new ArgumentException("Ledger: BlockTime and RoundLength must be positive, TicketValidityPeriod ≥ 1, UnlockPeriod and InitialBlock ≥ 0");
        }

        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 30 };
        var cs = builder.ToString();
        using var connection = OpenConnection(cs);
        Execute(connection, null, "PRAGMA journal_mode=WAL;");
        using (var tx = connection.BeginTransaction(deferred: false))
        {
            Execute(connection, tx, """
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS senders (address TEXT PRIMARY KEY, deposit TEXT NOT NULL, reserve TEXT NOT NULL,
                    withdraw_round INTEGER NOT NULL, funded TEXT NOT NULL, withdrawn TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS reserve_claims (sender TEXT NOT NULL, round INTEGER NOT NULL, claimant TEXT NOT NULL,
                    amount TEXT NOT NULL, PRIMARY KEY (sender, round, claimant));
                CREATE TABLE IF NOT EXISTS orchestrators (address TEXT PRIMARY KEY, service_uri TEXT NOT NULL, stake TEXT NOT NULL,
                    fees_earned TEXT NOT NULL, registered_block INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS redemptions (ticket_hash TEXT PRIMARY KEY, sender TEXT NOT NULL, recipient TEXT NOT NULL,
                    sender_nonce INTEGER NOT NULL, face_value TEXT NOT NULL, from_deposit TEXT NOT NULL, from_reserve TEXT NOT NULL,
                    block INTEGER NOT NULL, round INTEGER NOT NULL, creation_round INTEGER NOT NULL);
                """);
            var defaults = new Dictionary<string, string>
            {
                ["genesis_unix_ms"] = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["block_time_ticks"] = options.BlockTime.Ticks.ToString(CultureInfo.InvariantCulture),
                ["round_length"] = options.RoundLength.ToString(CultureInfo.InvariantCulture),
                ["initial_block"] = options.InitialBlock.ToString(CultureInfo.InvariantCulture),
                ["unlock_period"] = options.UnlockPeriod.ToString(CultureInfo.InvariantCulture),
                ["ticket_validity_period"] = options.TicketValidityPeriod.ToString(CultureInfo.InvariantCulture),
                ["chain_seed"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            };
            foreach (var (key, value) in defaults)
            {
                Execute(connection, tx, "INSERT OR IGNORE INTO meta (key, value) VALUES ($k, $v);", ("$k", key), ("$v", value));
            }

            var stored = new Dictionary<string, string>();
            using (var read = Command(connection, tx, "SELECT key, value FROM meta;"))
            using (var reader = read.ExecuteReader())
            {
                while (reader.Read())
                {
                    stored[reader.GetString(0)] = reader.GetString(1);
                }
            }

            tx.Commit();
            var chain = new Chain(
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(stored["genesis_unix_ms"], CultureInfo.InvariantCulture)),
                long.Parse(stored["block_time_ticks"], CultureInfo.InvariantCulture),
                long.Parse(stored["round_length"], CultureInfo.InvariantCulture),
                long.Parse(stored["initial_block"], CultureInfo.InvariantCulture),
                int.Parse(stored["unlock_period"], CultureInfo.InvariantCulture),
                int.Parse(stored["ticket_validity_period"], CultureInfo.InvariantCulture),
                Convert.FromHexString(stored["chain_seed"]));
            return new SqliteLedger(cs, time, crypto ?? Secp256k1.Default, chain);
        }
    }

    // ---- clock -------------------------------------------------------------------------------------------------

    public long CurrentBlock()
    {
        var elapsed = time.GetUtcNow() - chain.Genesis;
        return chain.InitialBlock + Math.Max(0, elapsed.Ticks / chain.BlockTimeTicks);
    }

    public byte[] BlockHash(long block)
    {
        var data = new byte[64];
        chain.Seed.CopyTo(data, 0);
        BigEndian.WriteWord(block, data.AsSpan(32));
        return Keccak256.Hash(data);
    }

    public long RoundOf(long block) => block / chain.RoundLength;

    /// <summary>RoundsManager.blockHashForRound: the hash of the round's first block once the round has started, else zero.</summary>
    public byte[] BlockHashForRound(long round) =>
        round >= 0 && round <= RoundOf(CurrentBlock()) ? BlockHash(round * chain.RoundLength) : new byte[32];

    public Task<ChainHead> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        var block = CurrentBlock();
        var round = RoundOf(block);
        // Rounds initialise themselves at their first block here, so the last initialised round is the current one.
        return Task.FromResult(new ChainHead(block, BlockHash(block), round, round, BlockHashForRound(round), chain.RoundLength, chain.TicketValidityPeriod));
    }

    // ---- senders -----------------------------------------------------------------------------------------------

    public Task<SenderInfo> GetSenderAsync(EthAddress sender, CancellationToken cancellationToken = default)
    {
        using var connection = OpenConnection(connectionString);
        return Task.FromResult(ReadSender(connection, null, sender).Info);
    }

    public Task<SenderInfo> FundDepositAndReserveAsync(EthAddress sender, BigInteger deposit, BigInteger reserve, CancellationToken cancellationToken = default)
    {
        if (deposit.Sign < 0 || reserve.Sign < 0 || (deposit + reserve).IsZero)
        {
            throw new LedgerException("funding amounts must be non-negative and not both zero");
        }

        if (sender.IsZero)
        {
            throw new LedgerException("sender is null address");
        }

        return Write(cancellationToken, (connection, tx) =>
        {
            var row = ReadSender(connection, tx, sender);
            var info = row.Info with { Deposit = row.Info.Deposit + deposit, Reserve = row.Info.Reserve + reserve };
            SaveSender(connection, tx, sender, info, row.Funded + deposit + reserve, row.Withdrawn);
            return info;
        });
    }

    public Task<SenderInfo> UnlockAsync(EthAddress sender, CancellationToken cancellationToken = default) =>
        Write(cancellationToken, (connection, tx) =>
        {
            var row = ReadSender(connection, tx, sender);
            if (row.Info.Deposit.IsZero && row.Info.Reserve.IsZero)
            {
                throw new LedgerException("sender deposit and reserve are zero");
            }

            if (row.Info.WithdrawRound != 0)
            {
                throw new LedgerException("unlock already initiated");
            }

            var info = row.Info with { WithdrawRound = RoundOf(CurrentBlock()) + chain.UnlockPeriod };
            SaveSender(connection, tx, sender, info, row.Funded, row.Withdrawn);
            return info;
        });

    public Task<SenderInfo> CancelUnlockAsync(EthAddress sender, CancellationToken cancellationToken = default) =>
        Write(cancellationToken, (connection, tx) =>
        {
            var row = ReadSender(connection, tx, sender);
            if (row.Info.WithdrawRound == 0)
            {
                throw new LedgerException("no unlock request in progress");
            }

            var info = row.Info with { WithdrawRound = 0 };
            SaveSender(connection, tx, sender, info, row.Funded, row.Withdrawn);
            return info;
        });

    public Task<BigInteger> WithdrawAsync(EthAddress sender, CancellationToken cancellationToken = default) =>
        Write(cancellationToken, (connection, tx) =>
        {
            var row = ReadSender(connection, tx, sender);
            if (row.Info.Deposit.IsZero && row.Info.Reserve.IsZero)
            {
                throw new LedgerException("sender deposit and reserve are zero");
            }

            if (row.Info.WithdrawRound == 0)
            {
                throw new LedgerException("no unlock request in progress");
            }

            if (row.Info.IsLocked(RoundOf(CurrentBlock())))
            {
                throw new LedgerException("account is locked");
            }

            var amount = row.Info.Deposit + row.Info.Reserve;
            SaveSender(connection, tx, sender, SenderInfo.Empty, row.Funded, row.Withdrawn + amount);
            return amount;
        });

    // ---- orchestrators -----------------------------------------------------------------------------------------

    public Task RegisterOrchestratorAsync(EthAddress orchestrator, string serviceUri, BigInteger stake, CancellationToken cancellationToken = default)
    {
        if (orchestrator.IsZero || stake.Sign < 0 || string.IsNullOrWhiteSpace(serviceUri))
        {
            throw new LedgerException("an orchestrator needs a non-zero address, a service URI and a stake ≥ 0");
        }

        return Write(cancellationToken, (connection, tx) =>
        {
            Execute(connection, tx, """
                INSERT INTO orchestrators (address, service_uri, stake, fees_earned, registered_block) VALUES ($a, $u, $s, '0', $b)
                ON CONFLICT(address) DO UPDATE SET service_uri = excluded.service_uri, stake = excluded.stake;
                """, ("$a", Key(orchestrator)), ("$u", serviceUri), ("$s", Text(stake)), ("$b", CurrentBlock()));
            return true;
        });
    }

    public Task<IReadOnlyList<OrchestratorRecord>> GetActiveOrchestratorsAsync(CancellationToken cancellationToken = default)
    {
        using var connection = OpenConnection(connectionString);
        IReadOnlyList<OrchestratorRecord> list = ReadOrchestrators(connection, null).Where(o => o.Stake.Sign > 0).ToList();
        return Task.FromResult(list);
    }

    public Task<OrchestratorRecord?> GetOrchestratorAsync(EthAddress orchestrator, CancellationToken cancellationToken = default)
    {
        using var connection = OpenConnection(connectionString);
        return Task.FromResult(ReadOrchestrators(connection, null).FirstOrDefault(o => o.Address == orchestrator));
    }

    // ---- tickets -----------------------------------------------------------------------------------------------

    public Task<bool> IsTicketUsedAsync(ReadOnlyMemory<byte> ticketHash, CancellationToken cancellationToken = default)
    {
        using var connection = OpenConnection(connectionString);
        return Task.FromResult(IsUsed(connection, null, ticketHash.Span));
    }

    public Task<BigInteger> GetClaimableReserveAsync(EthAddress sender, EthAddress recipient, CancellationToken cancellationToken = default)
    {
        using var connection = OpenConnection(connectionString);
        var row = ReadSender(connection, null, sender);
        return Task.FromResult(ClaimableReserve(connection, null, sender, row.Info.Reserve, recipient, RoundOf(CurrentBlock())));
    }

    public Task<RedeemResult> RedeemWinningTicketAsync(Ticket ticket, ReadOnlyMemory<byte> signature, BigInteger recipientRand, CancellationToken cancellationToken = default) =>
        Write(cancellationToken, (connection, tx) => Redeem(connection, tx, ticket, signature.Span, recipientRand));

    /// <summary>Every redemption so far (the WinningTicketRedeemed events), oldest first.</summary>
    public Task<IReadOnlyList<Redemption>> GetRedemptionsAsync(CancellationToken cancellationToken = default)
    {
        using var connection = OpenConnection(connectionString);
        using var command = Command(connection, null, "SELECT ticket_hash, sender, recipient, sender_nonce, face_value, from_deposit, from_reserve, block, creation_round FROM redemptions ORDER BY rowid;");
        using var reader = command.ExecuteReader();
        var list = new List<Redemption>();
        while (reader.Read())
        {
            list.Add(new Redemption(Convert.FromHexString(reader.GetString(0)), EthAddress.Parse(reader.GetString(1)), EthAddress.Parse(reader.GetString(2)),
                (uint)reader.GetInt64(3), Big(reader.GetString(4)), Big(reader.GetString(5)), Big(reader.GetString(6)), reader.GetInt64(7), reader.GetInt64(8)));
        }

        IReadOnlyList<Redemption> result = list;
        return Task.FromResult(result);
    }

    /// <summary>Total ever funded and withdrawn by a sender, for reconciliation: funded = deposit + reserve + paid out + withdrawn.</summary>
    public Task<(BigInteger Funded, BigInteger Withdrawn)> GetSenderTotalsAsync(EthAddress sender, CancellationToken cancellationToken = default)
    {
        using var connection = OpenConnection(connectionString);
        var row = ReadSender(connection, null, sender);
        return Task.FromResult((row.Funded, row.Withdrawn));
    }

    private RedeemResult Redeem(SqliteConnection connection, SqliteTransaction tx, Ticket ticket, ReadOnlySpan<byte> signature, BigInteger recipientRand)
    {
        // The checks of MixinTicketBrokerCore.redeemWinningTicket, in the contract's order and with its revert reasons.
        var block = CurrentBlock();
        var round = RoundOf(block);
        if (ticket.Recipient.IsZero)
        {
            return RedeemResult.Fail("ticket recipient is null address");
        }

        if (ticket.Sender.IsZero)
        {
            return RedeemResult.Fail("ticket sender is null address");
        }

        var aux = ticket.AuxData();
        if (aux.Length != 64)
        {
            return RedeemResult.Fail("invalid length for ticket auxData: must be 64 bytes");
        }

        var roundHash = BlockHashForRound(ticket.CreationRound);
        if (roundHash.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return RedeemResult.Fail("ticket creationRound does not have a block hash");
        }

        if (!roundHash.AsSpan().SequenceEqual(ticket.CreationRoundBlockHash))
        {
            return RedeemResult.Fail("ticket creationRoundBlockHash invalid for creationRound");
        }

        if (ticket.CreationRound + chain.TicketValidityPeriod <= round)
        {
            return RedeemResult.Fail("ticket is expired");
        }

        if (recipientRand.Sign < 0 || recipientRand.GetByteCount(isUnsigned: true) > 32 || !RecipientRand.Hash(recipientRand).AsSpan().SequenceEqual(ticket.RecipientRandHash))
        {
            return RedeemResult.Fail("recipientRand does not match recipientRandHash");
        }

        var hash = ticket.Hash();
        if (IsUsed(connection, tx, hash))
        {
            return RedeemResult.Fail("ticket is used");
        }

        if (!crypto.TryRecover(PersonalSign.Hash(hash), signature, out var signer) || signer!.Address != ticket.Sender)
        {
            return RedeemResult.Fail("invalid signature over ticket hash");
        }

        if (!TicketMath.IsWinning(signature, recipientRand, ticket.WinProb))
        {
            return RedeemResult.Fail("ticket did not win");
        }

        var row = ReadSender(connection, tx, ticket.Sender);
        if (!row.Info.IsLocked(round))
        {
            return RedeemResult.Fail("sender is unlocked");
        }

        if (row.Info.Deposit.IsZero && row.Info.Reserve.IsZero)
        {
            return RedeemResult.Fail("sender deposit and reserve are zero");
        }

        var recipient = ReadOrchestrators(connection, tx).FirstOrDefault(o => o.Address == ticket.Recipient);
        if (recipient is null)
        {
            return RedeemResult.Fail("transcoder must be registered");
        }

        // Pay from the deposit first, then the rest from the reserve up to the recipient's claimable share.
        var fromDeposit = BigInteger.Min(ticket.FaceValue, row.Info.Deposit);
        var remaining = ticket.FaceValue - fromDeposit;
        var fromReserve = BigInteger.Zero;
        if (remaining.Sign > 0)
        {
            fromReserve = BigInteger.Min(remaining, ClaimableReserve(connection, tx, ticket.Sender, row.Info.Reserve, ticket.Recipient, round));
            if (fromReserve.Sign > 0)
            {
                Execute(connection, tx, """
                    INSERT INTO reserve_claims (sender, round, claimant, amount) VALUES ($s, $r, $c, $a)
                    ON CONFLICT(sender, round, claimant) DO UPDATE SET amount = $total;
                    """, ("$s", Key(ticket.Sender)), ("$r", round), ("$c", Key(ticket.Recipient)), ("$a", Text(fromReserve)),
                    ("$total", Text(ClaimedBy(connection, tx, ticket.Sender, round, ticket.Recipient) + fromReserve)));
            }
        }

        SaveSender(connection, tx, ticket.Sender, row.Info with { Deposit = row.Info.Deposit - fromDeposit, Reserve = row.Info.Reserve - fromReserve }, row.Funded, row.Withdrawn);
        Execute(connection, tx, "UPDATE orchestrators SET fees_earned = $f WHERE address = $a;",
            ("$f", Text(recipient.FeesEarned + fromDeposit + fromReserve)), ("$a", Key(ticket.Recipient)));
        Execute(connection, tx, """
            INSERT INTO redemptions (ticket_hash, sender, recipient, sender_nonce, face_value, from_deposit, from_reserve, block, round, creation_round)
            VALUES ($h, $s, $r, $n, $f, $d, $v, $b, $round, $cr);
            """, ("$h", Convert.ToHexStringLower(hash)), ("$s", Key(ticket.Sender)), ("$r", Key(ticket.Recipient)), ("$n", (long)ticket.SenderNonce),
            ("$f", Text(ticket.FaceValue)), ("$d", Text(fromDeposit)), ("$v", Text(fromReserve)), ("$b", block), ("$round", round), ("$cr", ticket.CreationRound));
        return new RedeemResult(true, null, fromDeposit, fromReserve);
    }

    /// <summary>MixinReserve.claimableReserve: (remaining + claimed this round) / active pool size − already claimed by this claimant.</summary>
    private BigInteger ClaimableReserve(SqliteConnection connection, SqliteTransaction? tx, EthAddress sender, BigInteger fundsRemaining, EthAddress claimant, long round)
    {
        var active = ReadOrchestrators(connection, tx).Where(o => o.Stake.Sign > 0).ToList();
        if (active.Count == 0 || active.All(o => o.Address != claimant))
        {
            return BigInteger.Zero;
        }

        var claimedForRound = BigInteger.Zero;
        using (var command = Command(connection, tx, "SELECT amount FROM reserve_claims WHERE sender = $s AND round = $r;", ("$s", Key(sender)), ("$r", round)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                claimedForRound += Big(reader.GetString(0));
            }
        }

        var allocation = (fundsRemaining + claimedForRound) / active.Count;
        return BigInteger.Max(BigInteger.Zero, allocation - ClaimedBy(connection, tx, sender, round, claimant));
    }

    private static BigInteger ClaimedBy(SqliteConnection connection, SqliteTransaction? tx, EthAddress sender, long round, EthAddress claimant)
    {
        using var command = Command(connection, tx, "SELECT amount FROM reserve_claims WHERE sender = $s AND round = $r AND claimant = $c;",
            ("$s", Key(sender)), ("$r", round), ("$c", Key(claimant)));
        return command.ExecuteScalar() is string text ? Big(text) : BigInteger.Zero;
    }

    private static bool IsUsed(SqliteConnection connection, SqliteTransaction? tx, ReadOnlySpan<byte> hash)
    {
        using var command = Command(connection, tx, "SELECT 1 FROM redemptions WHERE ticket_hash = $h;", ("$h", Convert.ToHexStringLower(hash)));
        return command.ExecuteScalar() is not null;
    }

    // ---- storage helpers ---------------------------------------------------------------------------------------

    private sealed record SenderRow(SenderInfo Info, BigInteger Funded, BigInteger Withdrawn);

    private sealed record Chain(DateTimeOffset Genesis, long BlockTimeTicks, long RoundLength, long InitialBlock, int UnlockPeriod, int TicketValidityPeriod, byte[] Seed);

    private static SenderRow ReadSender(SqliteConnection connection, SqliteTransaction? tx, EthAddress sender)
    {
        using var command = Command(connection, tx, "SELECT deposit, reserve, withdraw_round, funded, withdrawn FROM senders WHERE address = $a;", ("$a", Key(sender)));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return new SenderRow(SenderInfo.Empty, BigInteger.Zero, BigInteger.Zero);
        }

        return new SenderRow(new SenderInfo(Big(reader.GetString(0)), Big(reader.GetString(1)), reader.GetInt64(2)), Big(reader.GetString(3)), Big(reader.GetString(4)));
    }

    private static void SaveSender(SqliteConnection connection, SqliteTransaction tx, EthAddress sender, SenderInfo info, BigInteger funded, BigInteger withdrawn) =>
        Execute(connection, tx, """
            INSERT INTO senders (address, deposit, reserve, withdraw_round, funded, withdrawn) VALUES ($a, $d, $r, $w, $f, $x)
            ON CONFLICT(address) DO UPDATE SET deposit = $d, reserve = $r, withdraw_round = $w, funded = $f, withdrawn = $x;
            """, ("$a", Key(sender)), ("$d", Text(info.Deposit)), ("$r", Text(info.Reserve)), ("$w", info.WithdrawRound), ("$f", Text(funded)), ("$x", Text(withdrawn)));

    private static List<OrchestratorRecord> ReadOrchestrators(SqliteConnection connection, SqliteTransaction? tx)
    {
        using var command = Command(connection, tx, "SELECT address, service_uri, stake, fees_earned FROM orchestrators ORDER BY registered_block, address;");
        using var reader = command.ExecuteReader();
        var list = new List<OrchestratorRecord>();
        while (reader.Read())
        {
            list.Add(new OrchestratorRecord(EthAddress.Parse(reader.GetString(0)), reader.GetString(1), Big(reader.GetString(2)), Big(reader.GetString(3))));
        }

        return list;
    }

    private async Task<T> Write<T>(CancellationToken cancellationToken, Func<SqliteConnection, SqliteTransaction, T> work)
    {
        // SQLite serialises writers itself (IMMEDIATE + busy timeout); retry the rare SQLITE_BUSY that outlasts the timeout.
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var connection = OpenConnection(connectionString);
                using var tx = connection.BeginTransaction(deferred: false);
                var result = work(connection, tx);
                tx.Commit();
                return result;
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken);
            }
        }
    }

    private static SqliteConnection OpenConnection(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, null, "PRAGMA busy_timeout = 10000;");
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, tx, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static string Key(EthAddress address) => address.ToLowerHex();

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static BigInteger Big(string text) => BigInteger.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>One WinningTicketRedeemed event.</summary>
public sealed record Redemption(byte[] TicketHash, EthAddress Sender, EthAddress Recipient, uint SenderNonce, BigInteger FaceValue,
    BigInteger FromDeposit, BigInteger FromReserve, long Block, long CreationRound);

/// <summary>A refused ledger transaction (a revert), with the contract's reason.</summary>
public sealed class LedgerException(string message) : Exception(message);
